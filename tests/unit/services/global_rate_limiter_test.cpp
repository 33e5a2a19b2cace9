// Tests of the instance-wide, lock-free token bucket, driven by a fake clock (and real threads).
#include "services/global_rate_limiter.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

struct CountingCounter final : ports::Counter {
    void inc(std::uint64_t n) override { value += n; }
    std::atomic<std::uint64_t> value{0};
};

int admitted(GlobalRateLimiter& limiter, int tries) {
    int n = 0;
    for (int i = 0; i < tries; ++i) {
        n += limiter.try_acquire() ? 1 : 0;
    }
    return n;
}

TEST(GlobalRateLimiterTest, AllowsTheBurstThenRefillsAtTheRate) {
    AdvancingClock clock;
    GlobalRateLimiter limiter(clock, {.rate_per_second = 1000, .burst = 2000});
    EXPECT_EQ(admitted(limiter, 2500), 2000);
    clock.advance(100ms);
    EXPECT_EQ(admitted(limiter, 500), 100);
    clock.advance(10s);  // refills to the burst, never beyond
    EXPECT_EQ(admitted(limiter, 5000), 2000);
}

TEST(GlobalRateLimiterTest, ARefusalSaysWhenTheNextTokenIsDueAndIsCounted) {
    AdvancingClock clock;
    CountingCounter refusals;
    GlobalRateLimiter limiter(clock, {.rate_per_second = 2, .burst = 1}, &refusals);
    EXPECT_TRUE(limiter.try_acquire());
    const RateDecision refused = limiter.try_acquire();
    EXPECT_FALSE(refused);
    EXPECT_EQ(refused.retry_after, 500ms);
    clock.advance(400ms);
    EXPECT_EQ(limiter.try_acquire().retry_after, 100ms);
    clock.advance(100ms);
    EXPECT_TRUE(limiter.try_acquire());
    EXPECT_EQ(refusals.value.load(), 2U);
}

TEST(GlobalRateLimiterTest, AtHighRatesTheWaitIsAtLeastOneMillisecond) {
    AdvancingClock clock;
    GlobalRateLimiter limiter(clock, {.rate_per_second = 1'000'000, .burst = 1});
    EXPECT_TRUE(limiter.try_acquire());
    EXPECT_EQ(limiter.try_acquire().retry_after, 1ms);
}

TEST(GlobalRateLimiterTest, AClockSteppingBackwardsCostsOneIntervalNotTheStep) {
    AdvancingClock clock;
    GlobalRateLimiter limiter(clock, {.rate_per_second = 10, .burst = 2});
    EXPECT_EQ(admitted(limiter, 2), 2);
    clock.advance(-1h);
    const RateDecision refused = limiter.try_acquire();
    EXPECT_FALSE(refused);
    EXPECT_LE(refused.retry_after, 100ms);
    clock.advance(100ms);
    EXPECT_TRUE(limiter.try_acquire());
}

// Threads racing for the tokens never get more than the burst between them (no lost update).
TEST(GlobalRateLimiterTest, ConcurrentCallersShareTheBurstExactly) {
    AdvancingClock clock;  // stands still: no refill during the race
    GlobalRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 10'000});
    std::atomic<int> total{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] { total += admitted(limiter, 5000); });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(total.load(), 10'000);
}

TEST(GlobalRateLimiterTest, RefusesNonsensicalSettings) {
    AdvancingClock clock;
    EXPECT_THROW(GlobalRateLimiter(clock, {.rate_per_second = 0, .burst = 1}), std::invalid_argument);
    EXPECT_THROW(GlobalRateLimiter(clock, {.rate_per_second = 1, .burst = 0.5}), std::invalid_argument);
}

}  // namespace
}  // namespace gomall::services
