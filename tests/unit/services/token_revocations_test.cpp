// Tests of the revoked-token set: the three kinds of revocation, persistence, reload and pruning, and
// what is shared with other instances (announcing, applying their events, catching up).
#include "services/token_revocations.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ports/token_repository.hpp"
#include "token_repository_stub.hpp"

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
class FakeTokenRepository final : public TokenRepositoryStub {
public:
    void revoke_access(const std::string& jti, TimePoint expires_at) override {
        std::lock_guard lock(mutex_);
        if (failing) {
            throw std::runtime_error("database down");
        }
        revoked[jti] = expires_at;
    }
    void set_session_cutoff(std::int64_t user_id, TimePoint not_before) override {
        std::lock_guard lock(mutex_);
        if (failing) {
            throw std::runtime_error("database down");
        }
        cutoffs[user_id] = not_before;
    }
    bool holds(const std::string& jti) {
        std::lock_guard lock(mutex_);
        return revoked.contains(jti);
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

    std::mutex mutex_;
    std::map<std::string, TimePoint> revoked;
    std::map<std::int64_t, TimePoint> cutoffs;
    bool failing = false;
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

// Records what would be told to the other instances, and whether the repository already held it then.
class RecordingPublisher final : public ports::RevocationPublisher {
public:
    explicit RecordingPublisher(FakeTokenRepository& repo) : repo_(repo) {}
    void publish(const ports::RevocationEvent& event) override {
        events.push_back(event);
        const bool held =
            event.kind == ports::RevocationEvent::Kind::kUser
                ? repo_.cutoffs.contains(event.user_id)
                : repo_.holds((event.kind == ports::RevocationEvent::Kind::kSession ? "sid:" : "") + event.id);
        persisted_first.push_back(held);
    }
    std::vector<ports::RevocationEvent> events;
    std::vector<bool> persisted_first;

private:
    FakeTokenRepository& repo_;
};

using Kind = ports::RevocationEvent::Kind;

TEST(TokenRevocationsSharingTest, AnnouncesEachRevocationOnceItIsPersisted) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    RecordingPublisher publisher(repo);
    revocations.announce_to(&publisher);
    revocations.revoke_token("jti-1", kStart + 900s);
    revocations.revoke_session("session-1", kStart + 600s);
    const TimePoint cutoff = revocations.revoke_user_tokens(7, kStart);
    EXPECT_EQ(
        publisher.events,
        (std::vector<ports::RevocationEvent>{
            {Kind::kToken, "jti-1", 0, kStart + 900s},
            {Kind::kSession, "session-1", 0, kStart + 600s},
            {Kind::kUser, "", 7, cutoff}})
    );
    EXPECT_EQ(publisher.persisted_first, (std::vector<bool>{true, true, true}));

    revocations.announce_to(nullptr);
    revocations.revoke_token("jti-2", kStart + 900s);
    EXPECT_EQ(publisher.events.size(), 3U);
}

TEST(TokenRevocationsSharingTest, AnnouncesEvenWhenPersistingFails) {
    FakeTokenRepository repo;
    repo.failing = true;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    RecordingPublisher publisher(repo);
    revocations.announce_to(&publisher);
    EXPECT_THROW(revocations.revoke_token("jti-1", kStart + 900s), std::runtime_error);
    EXPECT_THROW(revocations.revoke_user_tokens(7, kStart), std::runtime_error);
    ASSERT_EQ(publisher.events.size(), 2U);
    EXPECT_EQ(publisher.events[0].id, "jti-1");
    EXPECT_EQ(publisher.events[1].user_id, 7);
    EXPECT_TRUE(revocations.is_revoked(claims("jti-1")));
}

TEST(TokenRevocationsSharingTest, RemoteEventsGoToMemoryOnlyAndAreNotAnnouncedAgain) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    RecordingPublisher publisher(repo);
    revocations.announce_to(&publisher);
    revocations.apply_remote({Kind::kToken, "jti-1", 0, kStart + 900s});
    revocations.apply_remote({Kind::kSession, "session-2", 0, kStart + 900s});
    revocations.apply_remote({Kind::kUser, "", 3, from_unix_seconds(1'800'000'001)});

    EXPECT_TRUE(revocations.is_revoked(claims("jti-1")));
    EXPECT_TRUE(revocations.is_revoked(claims("other", 7, kStart, "session-2")));
    EXPECT_TRUE(revocations.is_revoked(claims("x", 3, from_unix_seconds(1'800'000'000))));
    EXPECT_FALSE(revocations.is_revoked(claims("y", 3, from_unix_seconds(1'800'000'001))));
    EXPECT_EQ(revocations.session_cutoff(3), from_unix_seconds(1'800'000'001));
    EXPECT_TRUE(publisher.events.empty());
    EXPECT_TRUE(repo.revoked.empty());
    EXPECT_TRUE(repo.cutoffs.empty());
}

TEST(TokenRevocationsSharingTest, RemoteEventsAreIdempotentAndOnlyEverExtend) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    const ports::RevocationEvent later_cutoff{Kind::kUser, "", 3, kStart + 60s};
    revocations.apply_remote(later_cutoff);
    revocations.apply_remote(later_cutoff);
    revocations.apply_remote({Kind::kUser, "", 3, kStart});  // an older one, arriving late
    EXPECT_EQ(revocations.session_cutoff(3), kStart + 60s);

    revocations.apply_remote({Kind::kToken, "jti-1", 0, kStart + 900s});
    revocations.apply_remote({Kind::kToken, "jti-1", 0, kStart + 10s});
    revocations.apply_remote({Kind::kToken, "jti-1", 0, kStart + 900s});
    EXPECT_EQ(revocations.size(), 1U);
    clock.advance(11s);
    revocations.prune();
    EXPECT_TRUE(revocations.is_revoked(claims("jti-1")));  // the later expiry was kept

    revocations.apply_remote({Kind::kToken, "", 0, kStart + 900s});  // nothing to revoke
    EXPECT_EQ(revocations.size(), 1U);
}

TEST(TokenRevocationsSharingTest, CatchingUpAddsWhatTheRepositoryHoldsAndDropsNothing) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    revocations.load();
    // Heard from another instance (so not in this repository fake), and written by yet another
    // instance while this one was not listening.
    revocations.apply_remote({Kind::kToken, "heard", 0, kStart + 900s});
    revocations.apply_remote({Kind::kUser, "", 4, kStart + 30s});
    repo.revoked["missed"] = kStart + 900s;
    repo.revoked["sid:missed-session"] = kStart + 900s;
    repo.revoked["expired"] = kStart - 1s;
    repo.cutoffs[3] = kStart;
    repo.cutoffs[4] = kStart;  // older than what memory holds

    EXPECT_EQ(revocations.merge_from_repository(), 3U);
    EXPECT_TRUE(revocations.is_revoked(claims("heard")));
    EXPECT_TRUE(revocations.is_revoked(claims("missed")));
    EXPECT_TRUE(revocations.is_revoked(claims("z", 7, kStart, "missed-session")));
    EXPECT_FALSE(revocations.is_revoked(claims("expired")));
    EXPECT_EQ(revocations.session_cutoff(3), kStart);
    EXPECT_EQ(revocations.session_cutoff(4), kStart + 30s);
    EXPECT_EQ(revocations.merge_from_repository(), 0U);  // nothing new: no exclusive lock taken
}

TEST(TokenRevocationsSharingTest, CatchingUpRunsBesideReadersAndWriters) {
    FakeTokenRepository repo;
    FakeClock clock(kStart);
    TokenRevocations revocations(repo, clock);
    for (int i = 0; i < 1000; ++i) {
        repo.revoked["stored-" + std::to_string(i)] = kStart + 900s;
    }
    std::atomic<bool> done{false};
    std::thread merger([&] {
        for (int i = 0; i < 20; ++i) {
            revocations.merge_from_repository();
        }
        done = true;
    });
    int local = 0;
    int missed = 0;
    while (!done) {
        const std::string jti = "local-" + std::to_string(local++);
        revocations.apply_remote({Kind::kToken, jti, 0, kStart + 900s});
        missed += revocations.is_revoked(claims(jti)) ? 0 : 1;
    }
    merger.join();
    EXPECT_EQ(missed, 0);
    EXPECT_EQ(revocations.size(), 1000U + static_cast<std::size_t>(local));
}

}  // namespace
}  // namespace gomall::services
