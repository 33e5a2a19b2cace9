// InMemorySeckillTokenStore: single use, replacement, expiry, the sweep that bounds the map, the
// coroutine interface, and one winner when many threads spend the same token.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "adapters/memory/in_memory_seckill_token_store.hpp"

namespace gomall::adapters::memory {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

TEST(InMemorySeckillTokenStoreTest, ATokenIsSpentOnceByItsOwnerForItsActivity) {
    InMemorySeckillTokenStore store;
    store.remember(1, 100, "abc", 60s, kNow);
    EXPECT_FALSE(store.spend(1, 200, "abc", kNow));  // another shopper
    EXPECT_FALSE(store.spend(2, 100, "abc", kNow));  // another activity
    EXPECT_FALSE(store.spend(1, 100, "abd", kNow));  // a wrong guess ...
    EXPECT_FALSE(store.spend(1, 100, "", kNow));
    EXPECT_TRUE(store.spend(1, 100, "abc", kNow));   // ... does not cost the owner their token
    EXPECT_FALSE(store.spend(1, 100, "abc", kNow));  // single use
    EXPECT_EQ(store.size(), 0U);
}

TEST(InMemorySeckillTokenStoreTest, ANewTokenReplacesTheShoppersEarlierOne) {
    InMemorySeckillTokenStore store;
    store.remember(1, 100, "first", 60s, kNow);
    store.remember(1, 100, "second", 60s, kNow);
    EXPECT_FALSE(store.spend(1, 100, "first", kNow));
    EXPECT_TRUE(store.spend(1, 100, "second", kNow));
}

TEST(InMemorySeckillTokenStoreTest, AnExpiredTokenIsRefusedAndForgotten) {
    InMemorySeckillTokenStore store;
    store.remember(1, 100, "abc", 60s, kNow);
    EXPECT_FALSE(store.spend(1, 100, "abc", kNow + 60s));  // valid for [now, now + ttl)
    EXPECT_EQ(store.size(), 0U);
    store.remember(1, 100, "abc", 60s, kNow);
    EXPECT_TRUE(store.spend(1, 100, "abc", kNow + 59s));
}

TEST(InMemorySeckillTokenStoreTest, IssuingAtTheThresholdSweepsExpiredTokens) {
    InMemorySeckillTokenStore store(3);
    store.remember(1, 1, "a", 10s, kNow);
    store.remember(1, 2, "b", 10s, kNow);
    store.remember(1, 3, "c", 60s, kNow);
    EXPECT_EQ(store.size(), 3U);
    store.remember(1, 4, "d", 60s, kNow + 30s);  // a and b have expired by now
    EXPECT_EQ(store.size(), 2U);
    EXPECT_TRUE(store.spend(1, 3, "c", kNow + 30s));
    EXPECT_TRUE(store.spend(1, 4, "d", kNow + 30s));
}

TEST(InMemorySeckillTokenStoreTest, TheCoroutinesCompleteAtOnce) {
    InMemorySeckillTokenStore store;
    boost::asio::io_context io;
    auto issued = boost::asio::co_spawn(io, store.issue(5, 100, "tok", 1min, kNow), boost::asio::use_future);
    io.run();
    issued.get();
    io.restart();
    auto first = boost::asio::co_spawn(io, store.consume(5, 100, "tok", kNow), boost::asio::use_future);
    auto second = boost::asio::co_spawn(io, store.consume(5, 100, "tok", kNow), boost::asio::use_future);
    io.run();
    EXPECT_TRUE(first.get());
    EXPECT_FALSE(second.get());
}

TEST(InMemorySeckillTokenStoreTest, ManyThreadsSpendingOneTokenHaveOneWinner) {
    InMemorySeckillTokenStore store;
    for (int round = 0; round < 50; ++round) {
        const std::string token = "tok-" + std::to_string(round);
        store.remember(1, 100, token, 60s, kNow);
        std::atomic<int> winners{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] { winners += store.spend(1, 100, token, kNow) ? 1 : 0; });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        EXPECT_EQ(winners.load(), 1) << "round " << round;
    }
}

}  // namespace
}  // namespace gomall::adapters::memory
