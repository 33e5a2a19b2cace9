// Tests of the revoked-token set: the three kinds of revocation, persistence, reload and pruning.
#include "services/token_revocations.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

class FakeClock final : public ports::Clock {
public:
    explicit FakeClock(TimePoint start) : now_(start) {}
    TimePoint now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::milliseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

private:
    mutable std::mutex mutex_;
    TimePoint now_;
};

// Only the revocation half of the port matters here; refresh-token calls are not expected.
class FakeTokenRepository final : public ports::TokenRepository {
public:
    void create_refresh(const domain::RefreshToken&) override {}
    std::optional<domain::RefreshToken> find_refresh(const std::string&) override { return std::nullopt; }
    bool consume_refresh(const std::string&) override { return false; }
    void revoke_refresh(const std::string&) override {}
    void revoke_family(const std::string&) override {}
    void revoke_all_refresh_of_user(std::int64_t) override {}

    void revoke_access(const std::string& jti, TimePoint expires_at) override {
        std::lock_guard lock(mutex_);
        revoked[jti] = expires_at;
    }
    void set_session_cutoff(std::int64_t user_id, TimePoint not_before) override {
        std::lock_guard lock(mutex_);
        cutoffs[user_id] = not_before;
    }
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint now) override {
        std::lock_guard lock(mutex_);
        std::vector<ports::RevokedAccessToken> out;
        for (const auto& [jti, expires] : revoked) {
            if (expires > now) {
                out.push_back({jti, expires});
            }
        }
        return out;
    }
    std::vector<ports::UserSessionCutoff> session_cutoffs() override {
        std::lock_guard lock(mutex_);
        std::vector<ports::UserSessionCutoff> out;
        for (const auto& [user, not_before] : cutoffs) {
            out.push_back({user, not_before});
        }
        return out;
    }
    std::int64_t purge_expired(TimePoint) override { return 0; }

    std::mutex mutex_;
    std::map<std::string, TimePoint> revoked;
    std::map<std::int64_t, TimePoint> cutoffs;
};

// 1.8e9 s plus half a second, so second truncation matters.
const TimePoint kStart = from_unix_seconds(1'800'000'000) + 500ms;

domain::AccessClaims claims(
    std::string jti,
    std::int64_t user_id = 7,
    TimePoint iat = from_unix_seconds(1'800'000'000),
    std::string sid = "session-1"
) {
    domain::AccessClaims c;
    c.user_id = user_id;
    c.jti = std::move(jti);
    c.issued_at = iat;
    c.expires_at = iat + 900s;
    c.session_id = std::move(sid);
    return c;
}

TEST(TokenRevocationsTest, RevokesExactlyTheTokenWithThatJti) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    revocations.revoke_token("jti-1", kStart + 900s);
    EXPECT_TRUE(revocations.is_revoked(claims("jti-1")));
    EXPECT_FALSE(revocations.is_revoked(claims("jti-2")));
}

TEST(TokenRevocationsTest, RevokingASessionRevokesEveryTokenOfThatSessionOnly) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    revocations.revoke_session("session-1", kStart + 900s);
    EXPECT_TRUE(revocations.is_revoked(claims("a", 7, kStart, "session-1")));
    EXPECT_TRUE(revocations.is_revoked(claims("b", 7, kStart, "session-1")));
    EXPECT_FALSE(revocations.is_revoked(claims("c", 7, kStart, "session-2")));
    EXPECT_FALSE(revocations.is_revoked(claims("d", 7, kStart, "")));
}

TEST(TokenRevocationsTest, UserCutoffRevokesTokensIssuedInTheSameSecondButNotLaterOnes) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    const TimePoint same_second = from_unix_seconds(1'800'000'000);
    const TimePoint cutoff = revocations.revoke_user_tokens(7, kStart);
    EXPECT_EQ(cutoff, same_second + 1s);
    EXPECT_EQ(revocations.session_cutoff(7), cutoff);
    EXPECT_FALSE(revocations.session_cutoff(8).has_value());
    EXPECT_TRUE(revocations.is_revoked(claims("a", 7, same_second - 100s)));
    EXPECT_TRUE(revocations.is_revoked(claims("b", 7, same_second)));
    EXPECT_FALSE(revocations.is_revoked(claims("c", 7, cutoff)));
    EXPECT_FALSE(revocations.is_revoked(claims("d", 8, same_second)));
}

TEST(TokenRevocationsTest, CutoffNeverMovesBackwards) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    const TimePoint later = revocations.revoke_user_tokens(7, kStart + 10s);
    EXPECT_EQ(revocations.revoke_user_tokens(7, kStart), later);
    EXPECT_EQ(revocations.session_cutoff(7), later);
}

TEST(TokenRevocationsTest, WritesThroughAndAFreshInstanceLoadsEverythingBack) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    {
        TokenRevocations revocations(repo, clock);
        revocations.revoke_token("jti-1", kStart + 900s);
        revocations.revoke_session("session-9", kStart + 900s);
        revocations.revoke_user_tokens(3, kStart);
    }
    EXPECT_EQ(repo.revoked.count("jti-1"), 1U);
    EXPECT_EQ(repo.revoked.count("sid:session-9"), 1U);
    EXPECT_EQ(repo.cutoffs.count(3), 1U);

    TokenRevocations reloaded(repo, clock);
    EXPECT_FALSE(reloaded.is_revoked(claims("jti-1")));
    reloaded.load();
    EXPECT_TRUE(reloaded.is_revoked(claims("jti-1")));
    EXPECT_TRUE(reloaded.is_revoked(claims("x", 7, kStart, "session-9")));
    EXPECT_TRUE(reloaded.is_revoked(claims("y", 3, from_unix_seconds(1'800'000'000))));
    EXPECT_EQ(reloaded.size(), 2U);
}

TEST(TokenRevocationsTest, PruneDropsEntriesWhoseTokensHaveExpired) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    revocations.revoke_token("short", kStart + 10s);
    revocations.revoke_token("long", kStart + 900s);
    revocations.revoke_session("s", kStart + 10s);
    clock.advance(11s);
    revocations.prune();
    EXPECT_EQ(revocations.size(), 1U);
    EXPECT_TRUE(revocations.is_revoked(claims("long")));
}

TEST(TokenRevocationsTest, PrunesByItselfAsRevocationsAccumulate) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    for (int i = 0; i < 100; ++i) {
        revocations.revoke_token("old-" + std::to_string(i), kStart + 1s);
    }
    clock.advance(2s);
    for (int i = 0; i < 300; ++i) {
        revocations.revoke_token("new-" + std::to_string(i), kStart + 900s);
    }
    EXPECT_LT(revocations.size(), 400U);
}

TEST(TokenRevocationsTest, ReadersAndWritersCanRunConcurrently) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    std::atomic<int> seen{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const std::string jti = std::to_string(t) + "-" + std::to_string(i);
                revocations.revoke_token(jti, kStart + 900s);
                if (revocations.is_revoked(claims(jti))) {
                    ++seen;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(seen.load(), 2000);
    EXPECT_EQ(revocations.size(), 2000U);
}

}  // namespace
}  // namespace gomall::services
