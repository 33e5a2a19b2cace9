// Unit tests of OrderNumberGenerator: format, per-millisecond sequence, clock steps, uniqueness across threads.
#include "services/order_number.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

// 2026-11-25T01:02:03.045Z
constexpr std::int64_t kStartMillis = 1'795'568'523'045;

/// Reads a fixed time that tests move by hand; optionally moves 1 ms after `tick_after` reads.
class SteppingClock final : public ports::Clock {
public:
    TimePoint now() const override {
        const auto reads = ++reads_;
        if (tick_after_ > 0 && reads > tick_after_) {
            return TimePoint{std::chrono::milliseconds(millis_.load() + 1)};
        }
        return TimePoint{std::chrono::milliseconds(millis_.load())};
    }
    void set_millis(std::int64_t m) { millis_ = m; }
    void tick_after(std::int64_t reads) { tick_after_ = reads; }

private:
    std::atomic<std::int64_t> millis_{kStartMillis};
    mutable std::atomic<std::int64_t> reads_{0};
    std::int64_t tick_after_ = 0;
};

TEST(OrderNumberTest, HasTheAgreedFormat) {
    SteppingClock clock;
    OrderNumberGenerator numbers(7, clock);
    const std::string no = numbers.next();
    EXPECT_EQ(no.size(), OrderNumberGenerator::kLength);
    EXPECT_EQ(
        no,
        "ORD"
        "20261125010203"
        "045"
        "07"
        "0000"
    );
    EXPECT_TRUE(std::all_of(no.begin() + 3, no.end(), [](unsigned char c) { return std::isdigit(c) != 0; }));
}

TEST(OrderNumberTest, CountsWithinAMillisecondAndRestartsInTheNext) {
    SteppingClock clock;
    OrderNumberGenerator numbers(1, clock);
    EXPECT_EQ(numbers.next().substr(20), "010000");
    EXPECT_EQ(numbers.next().substr(20), "010001");
    clock.set_millis(kStartMillis + 1);
    const std::string next = numbers.next();
    EXPECT_EQ(next.substr(17, 3), "046");
    EXPECT_EQ(next.substr(20), "010000");
}

TEST(OrderNumberTest, KeepsIncreasingWhenTheClockStepsBack) {
    SteppingClock clock;
    OrderNumberGenerator numbers(1, clock);
    const std::string first = numbers.next();
    clock.set_millis(kStartMillis - 5000);
    const std::string second = numbers.next();
    EXPECT_GT(second, first);
    EXPECT_EQ(second.substr(3, 17), first.substr(3, 17));
}

TEST(OrderNumberTest, WaitsForTheNextMillisecondWhenTheSequenceRunsOut) {
    SteppingClock clock;
    clock.tick_after(OrderNumberGenerator::kSequencesPerMillisecond + 5);
    OrderNumberGenerator numbers(3, clock);
    std::string last;
    for (int i = 0; i < OrderNumberGenerator::kSequencesPerMillisecond; ++i) {
        last = numbers.next();
    }
    EXPECT_EQ(last.substr(17), "045039999");
    const std::string overflow = numbers.next();
    EXPECT_EQ(overflow.substr(17), "046030000");
    EXPECT_GT(overflow, last);
}

TEST(OrderNumberTest, RejectsNodeIdsOutsideTwoDigits) {
    SteppingClock clock;
    EXPECT_THROW(OrderNumberGenerator(-1, clock), std::invalid_argument);
    EXPECT_THROW(OrderNumberGenerator(100, clock), std::invalid_argument);
    EXPECT_NO_THROW(OrderNumberGenerator(99, clock));
}

TEST(OrderNumberTest, IsUniqueAndIncreasingAcrossThreads) {
    ports::SystemClock clock;
    OrderNumberGenerator numbers(42, clock);
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    std::vector<std::vector<std::string>> issued(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&numbers, &issued, t] {
            issued[t].reserve(kPerThread);
            for (int i = 0; i < kPerThread; ++i) {
                issued[t].push_back(numbers.next());
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::set<std::string> all;
    for (const auto& mine : issued) {
        EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end())) << "a thread saw numbers go backwards";
        all.insert(mine.begin(), mine.end());
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
    for (const auto& no : all) {
        ASSERT_EQ(no.size(), OrderNumberGenerator::kLength);
        ASSERT_EQ(no.substr(20, 2), "42");
    }
}

}  // namespace
}  // namespace gomall::services
