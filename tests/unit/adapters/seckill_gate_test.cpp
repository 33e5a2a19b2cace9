// InMemoryStockGate: the window, the per-shopper limit, sold out, releases, reloading from a tally,
// and the all-or-nothing reserve under many threads.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "adapters/memory/in_memory_stock_gate.hpp"

namespace gomall::adapters::memory {
namespace {

using namespace std::chrono_literals;
using domain::ReserveOutcome;

const TimePoint kStart = from_unix_seconds(1'800'000'000);

domain::SeckillActivity activity(std::int64_t id, int per_user_limit = 1) {
    domain::SeckillActivity a;
    a.id = id;
    a.product_id = 7;
    a.start_time = kStart;
    a.end_time = kStart + 1h;
    a.per_user_limit = per_user_limit;
    return a;
}

TEST(InMemoryStockGateTest, RefusesOutsideTheWindowAndUnknownActivities) {
    InMemoryStockGate gate;
    gate.load(activity(1), 10, {});
    EXPECT_EQ(gate.try_reserve(1, 100, kStart - 1s).outcome, ReserveOutcome::kNotStarted);
    EXPECT_EQ(gate.try_reserve(1, 100, kStart + 1h).outcome, ReserveOutcome::kEnded);
    EXPECT_EQ(gate.try_reserve(2, 100, kStart).outcome, ReserveOutcome::kUnknownActivity);
    EXPECT_EQ(gate.available(1), 10);  // refusals take nothing
    EXPECT_FALSE(gate.available(2));
    const auto taken = gate.try_reserve(1, 100, kStart);
    EXPECT_EQ(taken.outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(taken.seq, 1);
    EXPECT_EQ(gate.available(1), 9);
}

TEST(InMemoryStockGateTest, ShopperCannotHoldMoreThanTheLimit) {
    InMemoryStockGate gate;
    gate.load(activity(1, 2), 10, {});
    EXPECT_EQ(gate.try_reserve(1, 100, kStart).seq, 1);
    EXPECT_EQ(gate.try_reserve(1, 100, kStart).seq, 2);
    EXPECT_EQ(gate.try_reserve(1, 100, kStart).outcome, ReserveOutcome::kLimitReached);
    EXPECT_EQ(gate.try_reserve(1, 200, kStart).outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(gate.available(1), 7);
    const auto marks = gate.shopper(1, 100);
    ASSERT_TRUE(marks);
    EXPECT_EQ(marks->held, 2);
    EXPECT_EQ(marks->issued, 2);
}

TEST(InMemoryStockGateTest, SoldOutOnceEveryUnitIsTaken) {
    InMemoryStockGate gate;
    gate.load(activity(1), 2, {});
    EXPECT_EQ(gate.try_reserve(1, 1, kStart).outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(gate.try_reserve(1, 2, kStart).outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(gate.try_reserve(1, 3, kStart).outcome, ReserveOutcome::kSoldOut);
    EXPECT_EQ(gate.available(1), 0);
    EXPECT_EQ(gate.shopper(1, 3)->held, 0);
    // After the end the answer is "ended", whatever is left.
    EXPECT_EQ(gate.try_reserve(1, 3, kStart + 2h).outcome, ReserveOutcome::kEnded);
}

TEST(InMemoryStockGateTest, ReleaseReturnsTheUnitAndFreesTheMarkButNotTheSeq) {
    InMemoryStockGate gate;
    gate.load(activity(1), 1, {});
    EXPECT_EQ(gate.try_reserve(1, 100, kStart).seq, 1);
    EXPECT_EQ(gate.try_reserve(1, 200, kStart).outcome, ReserveOutcome::kSoldOut);
    gate.give_back(1, 100);
    EXPECT_EQ(gate.available(1), 1);
    gate.give_back(1, 100);  // nothing held any more: no second unit appears
    gate.give_back(1, 999);  // never held anything
    gate.give_back(5, 100);  // unknown activity
    EXPECT_EQ(gate.available(1), 1);
    const auto again = gate.try_reserve(1, 100, kStart);
    EXPECT_EQ(again.outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(again.seq, 2);
}

TEST(InMemoryStockGateTest, LoadRestoresTalliesAndRemoveForgets) {
    InMemoryStockGate gate;
    gate.load(activity(1, 1), 5, {{100, 1, 1}, {200, 0, 3}});
    EXPECT_EQ(gate.try_reserve(1, 100, kStart).outcome, ReserveOutcome::kLimitReached);
    EXPECT_EQ(gate.try_reserve(1, 200, kStart).seq, 4);
    // Reloading replaces the numbers and the window (an admin moved the start).
    auto moved = activity(1, 1);
    moved.start_time = kStart + 10min;
    gate.load(moved, 3, {});
    EXPECT_EQ(gate.available(1), 3);
    EXPECT_EQ(gate.try_reserve(1, 100, kStart).outcome, ReserveOutcome::kNotStarted);
    EXPECT_EQ(gate.try_reserve(1, 100, kStart + 10min).outcome, ReserveOutcome::kReserved);
    gate.remove(1);
    EXPECT_FALSE(gate.available(1));
    EXPECT_EQ(gate.try_reserve(1, 300, kStart + 10min).outcome, ReserveOutcome::kUnknownActivity);
}

TEST(InMemoryStockGateTest, AwaitableReserveAndReleaseCompleteImmediately) {
    InMemoryStockGate gate;
    gate.load(activity(1), 1, {});
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<std::pair<domain::ReserveResult, domain::ReserveResult>> {
            const auto first = co_await gate.reserve(1, 100, kStart, "r1");
            co_await gate.release(1, 100);
            const auto second = co_await gate.reserve(1, 100, kStart, "r1");
            co_return std::pair{first, second};
        },
        boost::asio::use_future
    );
    io.run();
    const auto [first, second] = future.get();
    EXPECT_EQ(first.outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(second.outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(second.seq, 2);
    EXPECT_EQ(gate.available(1), 0);
}

// 8 threads x 1000 attempts by 64 shoppers on 100 units; with `release_some`, a few handoffs
// "fail" and give their unit back, as the service does.
void hammer(bool release_some) {
    constexpr int kThreads = 8;
    constexpr int kAttempts = 1000;
    constexpr int kStock = 100;
    constexpr int kLimit = 2;
    constexpr int kShoppers = 64;
    InMemoryStockGate gate;
    gate.load(activity(1, kLimit), kStock, {});

    std::mutex mutex;
    std::map<std::int64_t, std::set<int>> seqs;  // per shopper
    std::atomic<int> reserved{0};
    std::atomic<int> released{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kAttempts; ++i) {
                const std::int64_t user = (t * 7919 + i * 31) % kShoppers;
                const auto result = gate.try_reserve(1, user, kStart);
                if (result.outcome != ReserveOutcome::kReserved) {
                    continue;
                }
                reserved++;
                {
                    const std::lock_guard lock(mutex);
                    EXPECT_TRUE(seqs[user].insert(result.seq).second) << "seq issued twice";
                }
                if (release_some && i % 97 == 0) {
                    gate.give_back(1, user);
                    released++;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    if (!release_some) {
        EXPECT_EQ(reserved.load(), kStock);
    }
    EXPECT_EQ(reserved.load() - released.load(), kStock);
    EXPECT_EQ(gate.available(1), 0);
    int held = 0;
    for (std::int64_t user = 0; user < kShoppers; ++user) {
        const auto marks = gate.shopper(1, user);
        ASSERT_TRUE(marks);
        EXPECT_LE(marks->held, kLimit) << "shopper " << user;
        held += marks->held;
    }
    EXPECT_EQ(held, kStock);
}

TEST(InMemoryStockGateTest, ManyThreadsTakeExactlyTheStockAndNoShopperExceedsTheLimit) {
    hammer(false);
}

TEST(InMemoryStockGateTest, ManyThreadsWithReleasesStillEndWithExactlyTheStockHeld) {
    hammer(true);
}

}  // namespace
}  // namespace gomall::adapters::memory
