// Tests of the revocation sync: which events from other instances it applies, that this instance's
// revocations reach the feed, and that it catches up from the database after a resubscription,
// periodically, and again soon after a failed try.
#include "services/revocation_sync.hpp"

#include <atomic>
#include <chrono>
#include <functional>
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
using Kind = ports::RevocationEvent::Kind;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

class FixedClock final : public ports::Clock {
public:
    TimePoint now() const override { return kNow; }
};

// The revocation half of the port, thread-safe (the sync's thread reads it), and able to fail.
class FakeTokenRepository final : public TokenRepositoryStub {
public:
    void revoke_access(const std::string& jti, TimePoint expires_at) override {
        std::lock_guard lock(mutex_);
        revoked_[jti] = expires_at;
    }
    void set_session_cutoff(std::int64_t user_id, TimePoint not_before) override {
        std::lock_guard lock(mutex_);
        cutoffs_[user_id] = not_before;
    }
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint now) override {
        std::lock_guard lock(mutex_);
        ++reads_;
        if (failing_) {
            throw std::runtime_error("database down");
        }
        std::vector<ports::RevokedAccessToken> out;
        for (const auto& [jti, expires] : revoked_) {
            if (expires > now) {
                out.push_back({jti, expires});
            }
        }
        return out;
    }
    std::vector<ports::UserSessionCutoff> session_cutoffs() override {
        std::lock_guard lock(mutex_);
        std::vector<ports::UserSessionCutoff> out;
        for (const auto& [user, not_before] : cutoffs_) {
            out.push_back({user, not_before});
        }
        return out;
    }

    void set_failing(bool failing) {
        std::lock_guard lock(mutex_);
        failing_ = failing;
    }
    int reads() {
        std::lock_guard lock(mutex_);
        return reads_;
    }

private:
    std::mutex mutex_;
    std::map<std::string, TimePoint> revoked_;
    std::map<std::int64_t, TimePoint> cutoffs_;
    bool failing_ = false;
    int reads_ = 0;
};

class FakeFeed final : public ports::RevocationFeed {
public:
    void publish(const ports::RevocationEvent& event) override {
        std::lock_guard lock(mutex_);
        published_.push_back(event);
    }
    void start(std::function<void(const ports::RevocationEvent&)> on_event, std::function<void()> on_resync) override {
        on_event_ = std::move(on_event);
        on_resync_ = std::move(on_resync);
        running_ = true;
    }
    void stop() override { running_ = false; }

    void deliver(const ports::RevocationEvent& event) { on_event_(event); }
    void resubscribed() { on_resync_(); }
    bool running() const { return running_; }
    std::vector<ports::RevocationEvent> published() {
        std::lock_guard lock(mutex_);
        return published_;
    }

private:
    std::mutex mutex_;
    std::vector<ports::RevocationEvent> published_;
    std::function<void(const ports::RevocationEvent&)> on_event_;
    std::function<void()> on_resync_;
    std::atomic<bool> running_{false};
};

domain::AccessClaims claims(std::string jti, std::int64_t user_id = 7, std::string sid = "session-1") {
    domain::AccessClaims c;
    c.user_id = user_id;
    c.jti = std::move(jti);
    c.issued_at = kNow - 10s;
    c.expires_at = kNow + 890s;
    c.session_id = std::move(sid);
    return c;
}

/// Polls `done` for up to `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 2000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

class RevocationSyncTest : public ::testing::Test {
protected:
    RevocationSyncSettings settings(std::chrono::milliseconds reload_every = 1h) {
        RevocationSyncSettings s;
        s.reload_every = reload_every;
        s.retry_every = 20ms;
        s.longest_token_life = 900s;
        s.clock_skew = 300s;
        return s;
    }

    FixedClock clock_;
    FakeTokenRepository repo_;
    TokenRevocations revocations_{repo_, clock_};
    FakeFeed feed_;
};

TEST_F(RevocationSyncTest, AppliesWhatAShopInstanceWouldSend) {
    RevocationSync sync(revocations_, feed_, clock_, settings());
    using Outcome = RevocationSync::Outcome;
    EXPECT_EQ(sync.handle({Kind::kToken, "jti-1", 0, kNow + 900s}), Outcome::kApplied);
    EXPECT_EQ(sync.handle({Kind::kSession, "session-2", 0, kNow + 1s}), Outcome::kApplied);
    EXPECT_EQ(sync.handle({Kind::kUser, "", 3, kNow + 1s}), Outcome::kApplied);
    EXPECT_EQ(sync.handle({Kind::kUser, "", 4, kNow - 24h}), Outcome::kApplied);  // an old change still counts
    // Clocks disagree a little: an instance ahead by minutes is still believed.
    EXPECT_EQ(sync.handle({Kind::kToken, "jti-2", 0, kNow + 900s + 299s}), Outcome::kApplied);

    EXPECT_TRUE(revocations_.is_revoked(claims("jti-1")));
    EXPECT_TRUE(revocations_.is_revoked(claims("other", 7, "session-2")));
    EXPECT_TRUE(revocations_.is_revoked(claims("x", 3)));
    EXPECT_EQ(revocations_.session_cutoff(4), kNow - 24h);
    EXPECT_TRUE(feed_.published().empty());  // nothing heard is told again
}

TEST_F(RevocationSyncTest, IgnoresExpiredTokensAndRefusesWhatNoShopSends) {
    RevocationSync sync(revocations_, feed_, clock_, settings());
    using Outcome = RevocationSync::Outcome;
    EXPECT_EQ(sync.handle({Kind::kToken, "old", 0, kNow}), Outcome::kExpired);
    EXPECT_EQ(sync.handle({Kind::kSession, "old", 0, kNow - 1s}), Outcome::kExpired);

    EXPECT_EQ(sync.handle({Kind::kToken, "", 0, kNow + 60s}), Outcome::kRefused);
    EXPECT_EQ(sync.handle({Kind::kSession, "", 0, kNow + 60s}), Outcome::kRefused);
    EXPECT_EQ(sync.handle({Kind::kUser, "", 0, kNow}), Outcome::kRefused);
    EXPECT_EQ(sync.handle({Kind::kUser, "", -5, kNow}), Outcome::kRefused);
    // Revoked for years, or every token the user will get for a day: not from a shop.
    EXPECT_EQ(sync.handle({Kind::kToken, "jti-9", 0, kNow + 24h * 365}), Outcome::kRefused);
    EXPECT_EQ(sync.handle({Kind::kSession, "s-9", 0, kNow + 900s + 301s}), Outcome::kRefused);
    EXPECT_EQ(sync.handle({Kind::kUser, "", 7, kNow + 24h}), Outcome::kRefused);

    EXPECT_EQ(revocations_.size(), 0U);
    EXPECT_FALSE(revocations_.session_cutoff(7).has_value());
    EXPECT_FALSE(revocations_.is_revoked(claims("jti-9")));
}

TEST_F(RevocationSyncTest, WhileRunningThisInstancesRevocationsGoToTheFeed) {
    RevocationSync sync(revocations_, feed_, clock_, settings());
    revocations_.revoke_token("before-start", kNow + 900s);
    sync.start();
    EXPECT_TRUE(feed_.running());
    revocations_.revoke_token("jti-1", kNow + 900s);
    feed_.deliver({Kind::kToken, "from-elsewhere", 0, kNow + 900s});
    EXPECT_TRUE(revocations_.is_revoked(claims("from-elsewhere")));
    sync.stop();
    EXPECT_FALSE(feed_.running());
    revocations_.revoke_token("after-stop", kNow + 900s);
    EXPECT_EQ(feed_.published(), (std::vector<ports::RevocationEvent>{{Kind::kToken, "jti-1", 0, kNow + 900s}}));
    sync.stop();  // again: nothing happens
}

TEST_F(RevocationSyncTest, CatchesUpFromTheDatabaseAfterEverySubscription) {
    RevocationSync sync(revocations_, feed_, clock_, settings());
    sync.start();
    // Written by another instance while this one was not listening.
    repo_.revoke_access("missed", kNow + 900s);
    repo_.set_session_cutoff(5, kNow);
    EXPECT_FALSE(revocations_.is_revoked(claims("missed")));
    feed_.resubscribed();
    EXPECT_TRUE(eventually([&] { return revocations_.is_revoked(claims("missed")); }));
    EXPECT_TRUE(eventually([&] { return revocations_.session_cutoff(5) == kNow; }));
    sync.stop();
}

TEST_F(RevocationSyncTest, CatchesUpPeriodicallyWithoutBeingAsked) {
    RevocationSync sync(revocations_, feed_, clock_, settings(30ms));
    sync.start();
    repo_.revoke_access("never-announced", kNow + 900s);
    EXPECT_TRUE(eventually([&] { return revocations_.is_revoked(claims("never-announced")); }));
    const int reads = repo_.reads();
    EXPECT_TRUE(eventually([&] { return repo_.reads() >= reads + 3; }));
    sync.stop();
}

TEST_F(RevocationSyncTest, RetriesSoonAfterAFailedCatchUp) {
    RevocationSync sync(revocations_, feed_, clock_, settings());
    sync.start();
    repo_.set_failing(true);
    repo_.revoke_access("missed", kNow + 900s);
    const int reads = repo_.reads();
    feed_.resubscribed();
    EXPECT_TRUE(eventually([&] { return repo_.reads() >= reads + 2; }));  // failed, and tried again
    EXPECT_FALSE(revocations_.is_revoked(claims("missed")));
    repo_.set_failing(false);
    EXPECT_TRUE(eventually([&] { return revocations_.is_revoked(claims("missed")); }));
    EXPECT_TRUE(sync.catch_up());
    sync.stop();
}

TEST_F(RevocationSyncTest, StopsPromptlyWhileWaitingForTheNextCatchUp) {
    RevocationSync sync(revocations_, feed_, clock_, settings(1h));
    sync.start();
    std::this_thread::sleep_for(20ms);
    const auto started = std::chrono::steady_clock::now();
    sync.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
}

}  // namespace
}  // namespace gomall::services
