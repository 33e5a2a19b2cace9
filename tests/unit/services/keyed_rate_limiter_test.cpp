// Tests of the per-key token bucket (login, API and embedded flash-sale limits), driven by a fake clock.
#include "services/keyed_rate_limiter.hpp"

#include <chrono>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

struct CountingCounter final : ports::Counter {
    void inc(std::uint64_t n) override { value += n; }
    std::uint64_t value = 0;
};

// Resident set size of this process from /proc/self/statm (second field, in pages); 0 when unreadable.
std::int64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t size = 0;
    std::int64_t resident = 0;
    if (!(statm >> size >> resident)) {
        return 0;
    }
    return resident * sysconf(_SC_PAGESIZE);
}

// A distinct IPv6-looking key per number, as an address rotation would produce.
std::string flood_key(int i) {
    return "2001:db8:" + std::to_string(i / 65536) + ":" + std::to_string(i % 65536) + "::1";
}

TEST(KeyedRateLimiterTest, AllowsTheBurstThenRefillsAtTheRate) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {});  // 10/s, burst 20
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

TEST(KeyedRateLimiterTest, KeysHaveSeparateBuckets) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 2, .max_keys = 100});
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_FALSE(limiter.try_acquire("a"));
    EXPECT_TRUE(limiter.try_acquire("b"));
}

TEST(KeyedRateLimiterTest, ForgetsKeysWhoseBucketsHaveRefilled) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 10, .burst = 20, .max_keys = 100});
    for (int i = 0; i < 50; ++i) {
        limiter.try_acquire("ip-" + std::to_string(i));
    }
    EXPECT_EQ(limiter.tracked_keys(), 50U);
    clock.advance(1s);  // one token spent, refilled after 0.1 s
    limiter.try_acquire("another");
    EXPECT_EQ(limiter.tracked_keys(), 1U);
}

TEST(KeyedRateLimiterTest, NeverTracksMoreThanMaxKeys) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 5, .max_keys = 3});
    for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(limiter.try_acquire("ip-" + std::to_string(i)));
        EXPECT_LE(limiter.tracked_keys(), 3U);
    }
}

TEST(KeyedRateLimiterTest, AClockSteppingBackwardsNeitherRefillsNorDrains) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 2, .max_keys = 10});
    EXPECT_TRUE(limiter.try_acquire("a"));
    clock.advance(-10s);
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_FALSE(limiter.try_acquire("a"));
}

TEST(KeyedRateLimiterTest, RefusesNonsensicalSettings) {
    AdvancingClock clock;
    EXPECT_THROW(KeyedRateLimiter(clock, {.rate_per_second = 0, .burst = 1, .max_keys = 1}), std::invalid_argument);
    EXPECT_THROW(KeyedRateLimiter(clock, {.rate_per_second = 1, .burst = 0.5, .max_keys = 1}), std::invalid_argument);
    EXPECT_THROW(KeyedRateLimiter(clock, {.rate_per_second = 1, .burst = 1, .max_keys = 0}), std::invalid_argument);
}

TEST(KeyedRateLimiterTest, ARefusalSaysWhenTheNextTokenIsDueAndIsCounted) {
    AdvancingClock clock;
    CountingCounter refusals;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 4, .burst = 2, .max_keys = 10}, &refusals);
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_TRUE(limiter.try_acquire("a"));
    const RateDecision refused = limiter.try_acquire("a");
    EXPECT_FALSE(refused);
    EXPECT_EQ(refused.retry_after, 250ms);  // one token at 4/s
    EXPECT_EQ(refused.retry_after_seconds(), 1);
    clock.advance(100ms);
    EXPECT_EQ(limiter.try_acquire("a").retry_after, 150ms);
    EXPECT_EQ(refusals.value, 2U);
    clock.advance(150ms);
    EXPECT_TRUE(limiter.try_acquire("a"));
    EXPECT_EQ(refusals.value, 2U);
}

TEST(KeyedRateLimiterTest, RetryAfterSecondsRoundsUp) {
    EXPECT_EQ((RateDecision{false, 1ms}).retry_after_seconds(), 1);
    EXPECT_EQ((RateDecision{false, 1000ms}).retry_after_seconds(), 1);
    EXPECT_EQ((RateDecision{false, 1001ms}).retry_after_seconds(), 2);
}

TEST(KeyedRateLimiterTest, VeryLongKeysAreCutAndShareABucket) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 1, .burst = 1, .max_keys = 10});
    const std::string prefix(KeyedRateLimiter::kMaxKeyBytes, 'x');
    EXPECT_TRUE(limiter.try_acquire(prefix + "one"));
    EXPECT_FALSE(limiter.try_acquire(prefix + "two"));
    EXPECT_EQ(limiter.tracked_keys(), 1U);
}

// An attacker rotating through addresses (IPv6 makes that cheap) must not grow the table: 100k
// distinct keys arriving faster than buckets refill leave max_keys of them, and every newcomer still
// gets its full burst (the cap forgets the oldest, it never refuses an innocent key).
TEST(KeyedRateLimiterTest, AFloodOfDistinctKeysKeepsTheTableBounded) {
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 100, .burst = 200, .max_keys = 5000});
    for (int i = 0; i < 100'000; ++i) {
        ASSERT_TRUE(limiter.try_acquire(flood_key(i))) << i;
        if (i % 1000 == 999) {
            clock.advance(1ms);
        }
    }
    EXPECT_EQ(limiter.tracked_keys(), 5000U);
    // Once the flood stops and the buckets refill, idle keys go on the next call.
    clock.advance(1s);
    EXPECT_TRUE(limiter.try_acquire("203.0.113.1"));
    EXPECT_EQ(limiter.tracked_keys(), 1U);
}

// The same bound seen as memory: after a first flood has grown the table to its cap, three times as
// many new keys do not grow the process. Unbounded, they would cost about 45 MB.
TEST(KeyedRateLimiterTest, AFloodOfDistinctKeysKeepsResidentMemoryBounded) {
#if defined(__SANITIZE_ADDRESS__)
    // ASan keeps freed memory in quarantine and adds shadow memory: resident size says nothing there.
    GTEST_SKIP() << "resident memory is not meaningful under AddressSanitizer (the key count test holds)";
#endif
    if (resident_bytes() == 0) {
        GTEST_SKIP() << "/proc/self/statm is not readable here";
    }
    AdvancingClock clock;
    KeyedRateLimiter limiter(clock, {.rate_per_second = 100, .burst = 200, .max_keys = 20'000});
    for (int i = 0; i < 100'000; ++i) {
        limiter.try_acquire(flood_key(i));
    }
    const std::int64_t before = resident_bytes();
    for (int i = 100'000; i < 400'000; ++i) {
        limiter.try_acquire(flood_key(i));
    }
    const std::int64_t grown = resident_bytes() - before;
    EXPECT_EQ(limiter.tracked_keys(), 20'000U);
    EXPECT_LT(grown, std::int64_t{8} * 1024 * 1024) << "resident memory grew by " << grown << " bytes";
}

}  // namespace
}  // namespace gomall::services
