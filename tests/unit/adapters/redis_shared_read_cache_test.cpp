// The read cache's shared level and invalidation channel against a real redis-server (skipped without
// GOMALL_TEST_REDIS_HOST / _PORT), and the stored format, which needs no server.
#include "adapters/redis/redis_shared_read_cache.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/redis/redis_invalidation_subscriber.hpp"
#include "unit/adapters/redis_test_server.hpp"

namespace gomall::adapters::redis {
namespace {

using namespace std::chrono_literals;

TEST(SharedAnswerFormat, RoundTripsBodiesOfAnyBytes) {
    ports::SharedAnswer answer;
    answer.body = std::string("{\"name\":\"手机\"}\n\0tail", 23);
    answer.found = true;
    answer.loaded_at = TimePoint(std::chrono::milliseconds(1'800'000'000'123));
    const auto back = decode_shared_answer(encode_shared_answer(answer));
    EXPECT_EQ(back.body, answer.body);
    EXPECT_TRUE(back.found);
    EXPECT_EQ(back.loaded_at, answer.loaded_at);

    answer.found = false;
    answer.body.clear();
    EXPECT_FALSE(decode_shared_answer(encode_shared_answer(answer)).found);
}

TEST(SharedAnswerFormat, RefusesWhatItDidNotWrite) {
    for (const char* stored :
         {"",
          "v1",
          "v1 1 5",
          "v2 1 5\nbody",
          "v1 2 5\nbody",
          "v1 1 x\nbody",
          "v1 1 \nbody",
          "v1 15\nbody",
          "{\"code\":0}"}) {
        EXPECT_THROW(decode_shared_answer(stored), std::runtime_error) << stored;
    }
}

class RedisSharedReadCacheTest : public RedisServerTest {};

TEST_F(RedisSharedReadCacheTest, StoresExpiresAndRemovesAnswers) {
    RedisSharedReadCache cache(settings_, prefix_);
    EXPECT_FALSE(cache.get("list:0:page"));
    ports::SharedAnswer answer{"[1,2,3]", true, TimePoint(std::chrono::milliseconds(1'800'000'000'000))};
    cache.put("list:0:page", answer, 200ms);
    const auto hit = cache.get("list:0:page");
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->body, "[1,2,3]");
    EXPECT_EQ(hit->loaded_at, answer.loaded_at);
    // Under the shop's key prefix, like the flash sale's keys.
    EXPECT_EQ(blocking_->command({"EXISTS", prefix_ + ":rc:list:0:page"}).integer, 1);
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(cache.get("list:0:page"));

    cache.put("product:7", answer, 10s);
    cache.remove("product:7");
    EXPECT_FALSE(cache.get("product:7"));
}

TEST_F(RedisSharedReadCacheTest, ACorruptEntryIsRefusedNotServed) {
    RedisSharedReadCache cache(settings_, prefix_);
    blocking_->command({"SET", prefix_ + ":rc:product:9", "not ours"});
    EXPECT_THROW(cache.get("product:9"), std::runtime_error);
}

TEST_F(RedisSharedReadCacheTest, TheGenerationStartsAtZeroAndOnlyGoesUp) {
    RedisSharedReadCache cache(settings_, prefix_);
    EXPECT_EQ(cache.generation(), 0);
    EXPECT_EQ(cache.bump_generation(), 1);
    EXPECT_EQ(cache.bump_generation(), 2);
    EXPECT_EQ(RedisSharedReadCache(settings_, prefix_).generation(), 2);
}

TEST_F(RedisSharedReadCacheTest, SubscribersHearWhatIsPublishedAndNothingOfOtherShops) {
    std::mutex mutex;
    std::vector<std::string> heard;
    std::atomic<int> subscriptions{0};
    RedisInvalidationSubscriber subscriber(settings_, invalidation_channel(prefix_));
    subscriber.start(
        [&](std::string_view message) {
            std::lock_guard lock(mutex);
            heard.emplace_back(message);
        },
        [&] { ++subscriptions; }
    );
    for (int i = 0; i < 200 && !subscriber.subscribed(); ++i) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(subscriber.subscribed());
    EXPECT_EQ(subscriptions.load(), 1);

    RedisSharedReadCache(settings_, prefix_ + "-other-shop").publish("stock 1");
    RedisSharedReadCache cache(settings_, prefix_);
    cache.publish("stock 7");
    cache.publish("product 8 3");
    for (int i = 0; i < 200; ++i) {
        {
            std::lock_guard lock(mutex);
            if (heard.size() >= 2) {
                break;
            }
        }
        std::this_thread::sleep_for(10ms);
    }
    subscriber.stop();
    std::lock_guard lock(mutex);
    EXPECT_EQ(heard, (std::vector<std::string>{"stock 7", "product 8 3"}));
}

TEST_F(RedisSharedReadCacheTest, AStoppedSubscriberStopsPromptly) {
    RedisInvalidationSubscriber subscriber(settings_, invalidation_channel(prefix_));
    subscriber.start([](std::string_view) {}, [] {});
    std::this_thread::sleep_for(50ms);
    const auto started = std::chrono::steady_clock::now();
    subscriber.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST(RedisSharedReadCacheUnreachable, CallsThrowUnavailableAndTheSubscriberKeepsTrying) {
    RedisSettings nowhere;
    nowhere.host = "127.0.0.1";
    nowhere.port = 1;  // nothing listens there
    nowhere.command_timeout = 200ms;
    nowhere.reconnect_min = 20ms;
    RedisSharedReadCache cache(nowhere, "gomall");
    EXPECT_THROW(cache.get("product:1"), RedisUnavailable);
    RedisInvalidationSubscriber subscriber(nowhere, "gomall:rc:invalidate");
    std::atomic<int> subscriptions{0};
    subscriber.start([](std::string_view) {}, [&] { ++subscriptions; });
    std::this_thread::sleep_for(100ms);
    subscriber.stop();
    EXPECT_FALSE(subscriber.subscribed());
    EXPECT_EQ(subscriptions.load(), 0);
}

}  // namespace
}  // namespace gomall::adapters::redis
