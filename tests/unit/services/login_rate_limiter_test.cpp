// Tests of the per-IP login token bucket, driven by a fake clock.
#include "services/login_rate_limiter.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

TEST(LoginRateLimiterTest, AllowsTheBurstThenRefillsAtTheRate) {
    AdvancingClock clock;
    LoginRateLimiter limiter(clock);  // 10/s, burst 20
    for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(limiter.try_acquire("1.2.3.4")) << i;
    }
    EXPECT_FALSE(limiter.try_acquire("1.2.3.4"));
    clock.advance(100ms);
    EXPECT_TRUE(limiter.try_acquire("1.2.3.4"));
    EXPECT_FALSE(limiter.try_acquire("1.2.3.4"));
    clock.advance(1s);
    for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(limiter.try_acquire("1.2.3.4")) << i;
    }
    EXPECT_FALSE(limiter.try_acquire("1.2.3.4"));
}

TEST(LoginRateLimiterTest, KeysHaveSeparateBuckets) {
    AdvancingClock clock;
    LoginRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 2, .max_keys = 100});
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_FALSE(limiter.try_acquire("a"));
    EXPECT_TRUE(limiter.try_acquire("b"));
}

TEST(LoginRateLimiterTest, ForgetsKeysWhoseBucketsHaveRefilled) {
    AdvancingClock clock;
    LoginRateLimiter limiter(clock, {.rate_per_second = 10, .burst = 20, .max_keys = 100});
    for (int i = 0; i < 50; ++i) {
        limiter.try_acquire("ip-" + std::to_string(i));
    }
    EXPECT_EQ(limiter.tracked_keys(), 50U);
    clock.advance(1s);  // one token spent, refilled after 0.1 s
    limiter.try_acquire("another");
    EXPECT_EQ(limiter.tracked_keys(), 1U);
}

TEST(LoginRateLimiterTest, NeverTracksMoreThanMaxKeys) {
    AdvancingClock clock;
    LoginRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 5, .max_keys = 3});
    for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(limiter.try_acquire("ip-" + std::to_string(i)));
        EXPECT_LE(limiter.tracked_keys(), 3U);
    }
}

TEST(LoginRateLimiterTest, AClockSteppingBackwardsNeitherRefillsNorDrains) {
    AdvancingClock clock;
    LoginRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 2, .max_keys = 10});
    EXPECT_TRUE(limiter.try_acquire("a"));
    clock.advance(-10s);
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_FALSE(limiter.try_acquire("a"));
}

TEST(LoginRateLimiterTest, RefusesNonsensicalSettings) {
    AdvancingClock clock;
    EXPECT_THROW(LoginRateLimiter(clock, {.rate_per_second = 0, .burst = 1, .max_keys = 1}), std::invalid_argument);
    EXPECT_THROW(LoginRateLimiter(clock, {.rate_per_second = 1, .burst = 0.5, .max_keys = 1}), std::invalid_argument);
    EXPECT_THROW(LoginRateLimiter(clock, {.rate_per_second = 1, .burst = 1, .max_keys = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace gomall::services
