// Notices of flash-sale activity changes between instances: the strict message format, and two
// instances on a real Redis (GOMALL_TEST_REDIS_HOST/_PORT; skipped without).
#include "adapters/redis/redis_activity_broadcast.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace gomall::adapters::redis {
namespace {

using std::chrono::milliseconds;

TEST(ActivityNoticeTest, OnlyAnOriginAndAPositiveIdAreAccepted) {
    const auto notice = parse_activity_notice("0123456789abcdef 42");
    ASSERT_TRUE(notice);
    EXPECT_EQ(notice->origin, "0123456789abcdef");
    EXPECT_EQ(notice->activity_id, 42);
    EXPECT_EQ(parse_activity_notice("0123456789abcdef 999999999999999999")->activity_id, 999999999999999999);
    for (const char* bad :
         {"",
          "42",
          "0123456789abcdef",
          "0123456789abcdef ",
          "0123456789abcdef 0",
          "0123456789abcdef 042",
          "0123456789abcdef -1",
          "0123456789abcdef +1",
          "0123456789abcdef 1 ",
          "0123456789abcdef  1",
          "0123456789ABCDEF 1",
          "0123456789abcde 1",
          "0123456789abcdefa 1",
          "0123456789abcdef 1x",
          "0123456789abcdef 9999999999999999999",
          "0123456789abcdef\t1",
          "0123456789abcdef 1\n"}) {
        EXPECT_FALSE(parse_activity_notice(bad)) << '"' << bad << '"';
    }
}

TEST(ActivityNoticeTest, AnotherInstanceHearsTheChangeAndTheSenderDoesNot) {
    const char* host = std::getenv("GOMALL_TEST_REDIS_HOST");
    const char* port = std::getenv("GOMALL_TEST_REDIS_PORT");
    if (host == nullptr || port == nullptr) {
        GTEST_SKIP() << "set GOMALL_TEST_REDIS_HOST and GOMALL_TEST_REDIS_PORT (scripts/stack start redis)";
    }
    RedisSettings settings;
    settings.host = host;
    settings.port = std::atoi(port);
    const std::string prefix = "gomall-test-" + std::to_string(std::random_device{}());
    RedisActivityBroadcast a(settings, prefix);
    RedisActivityBroadcast b(settings, prefix);
    std::atomic<std::int64_t> heard_by_a{0};
    std::atomic<std::int64_t> heard_by_b{0};
    std::atomic<int> resyncs_of_b{0};
    a.start([&](std::int64_t id) { heard_by_a = id; }, [] {});
    b.start([&](std::int64_t id) { heard_by_b = id; }, [&] { ++resyncs_of_b; });
    for (int i = 0; i < 300 && resyncs_of_b == 0; ++i) {
        std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_EQ(resyncs_of_b, 1) << "b catches up once it is subscribed";
    for (int i = 0; i < 300 && heard_by_b != 7; ++i) {
        a.publish(7);  // repeated until b, subscribing in the background, hears one
        std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_EQ(heard_by_b, 7);
    EXPECT_EQ(heard_by_a, 0) << "the sender skips its own notice";
    a.stop();
    b.stop();
}

}  // namespace
}  // namespace gomall::adapters::redis
