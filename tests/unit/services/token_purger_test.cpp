// The token purger: it deletes what has expired as of its clock, counts it, keeps going after a
// failed purge, waits a whole interval before its first purge, and stops promptly.
#include "services/token_purger.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "advancing_clock.hpp"
#include "breaker_test_support.hpp"
#include "token_repository_stub.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using breaker_test::RecordingMetrics;

/// Only purge_expired() matters here: it answers from a script and remembers the times it was asked with.
class ScriptedTokens final : public TokenRepositoryStub {
public:
    std::vector<std::int64_t> answers;  // one per call (-1: throw), then 0

    std::int64_t purge_expired(TimePoint now) override {
        const std::lock_guard lock(mutex_);
        asked_.push_back(now);
        const std::size_t call = asked_.size() - 1;
        const std::int64_t answer = call < answers.size() ? answers[call] : 0;
        if (answer < 0) {
            throw std::runtime_error("database away");
        }
        return answer;
    }
    std::vector<TimePoint> asked() const {
        const std::lock_guard lock(mutex_);
        return asked_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<TimePoint> asked_;
};

TEST(TokenPurgerTest, PurgesWhatHasExpiredAsOfItsClockAndCountsIt) {
    ScriptedTokens tokens;
    tokens.answers = {3, 0, 2};
    AdvancingClock clock;
    RecordingMetrics metrics;
    TokenPurger purger(tokens, clock, 1h, metrics);
    EXPECT_EQ(purger.purge_once(), 3);
    clock.advance(1h);
    EXPECT_EQ(purger.purge_once(), 0);
    EXPECT_EQ(purger.purge_once(), 2);
    ASSERT_EQ(tokens.asked().size(), 3U);
    EXPECT_EQ(tokens.asked()[0], from_unix_seconds(1'800'000'000));
    EXPECT_EQ(tokens.asked()[1], from_unix_seconds(1'800'000'000 + 3600));
    EXPECT_DOUBLE_EQ(metrics.value("gomall_auth_tokens_purged_total", {}), 5);
}

TEST(TokenPurgerTest, AFailedPurgeIsReportedAndTheNextOneStillRuns) {
    ScriptedTokens tokens;
    tokens.answers = {-1, 4};
    AdvancingClock clock;
    RecordingMetrics metrics;
    TokenPurger purger(tokens, clock, 1h, metrics);
    EXPECT_EQ(purger.purge_once(), -1);
    EXPECT_EQ(purger.purge_once(), 4);
    EXPECT_DOUBLE_EQ(metrics.value("gomall_auth_tokens_purged_total", {}), 4);
}

TEST(TokenPurgerTest, TheWorkerPurgesOncePerIntervalPastAFailureAndStopsPromptly) {
    ScriptedTokens tokens;
    tokens.answers = {1, -1, 1};
    AdvancingClock clock;
    RecordingMetrics metrics;
    TokenPurger purger(tokens, clock, 20ms, metrics);
    const auto started = std::chrono::steady_clock::now();
    purger.start();
    purger.start();  // no second worker
    const auto deadline = started + 5s;
    while (tokens.asked().size() < 4 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    purger.stop();
    purger.stop();
    const auto calls = tokens.asked().size();
    EXPECT_GE(calls, 4U);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 4 * 20ms) << "a purge came before its interval";
    EXPECT_DOUBLE_EQ(metrics.value("gomall_auth_tokens_purged_total", {}), 2);
    std::this_thread::sleep_for(60ms);
    EXPECT_EQ(tokens.asked().size(), calls) << "a purge after stop()";
}

TEST(TokenPurgerTest, TheFirstPurgeWaitsAWholeInterval) {
    ScriptedTokens tokens;
    AdvancingClock clock;
    RecordingMetrics metrics;
    TokenPurger purger(tokens, clock, 1h, metrics);
    purger.start();
    std::this_thread::sleep_for(50ms);
    const auto began = std::chrono::steady_clock::now();
    purger.stop();
    EXPECT_TRUE(tokens.asked().empty());
    EXPECT_LT(std::chrono::steady_clock::now() - began, 1s) << "stop() waited for the interval";
}

TEST(TokenPurgerTest, RefusesAnIntervalThatIsNotPositive) {
    ScriptedTokens tokens;
    AdvancingClock clock;
    RecordingMetrics metrics;
    EXPECT_THROW(TokenPurger(tokens, clock, 0ms, metrics), std::invalid_argument);
}

}  // namespace
}  // namespace gomall::services
