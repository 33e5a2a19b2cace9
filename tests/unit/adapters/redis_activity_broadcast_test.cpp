// Notices of flash-sale activity changes between instances: the strict message format, and two
// instances on a real Redis (GOMALL_TEST_REDIS_HOST/_PORT; skipped without): hearing, and the
// sender waiting for every present instance to have applied its notice.
#include "adapters/redis/redis_activity_broadcast.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
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
    EXPECT_EQ(notice->notice, 0) << "an older sender's notice asks for no acknowledgement";
    EXPECT_EQ(parse_activity_notice("0123456789abcdef 999999999999999999")->activity_id, 999999999999999999);
    const auto numbered = parse_activity_notice("0123456789abcdef 42 7");
    ASSERT_TRUE(numbered);
    EXPECT_EQ(numbered->activity_id, 42);
    EXPECT_EQ(numbered->notice, 7);
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
          "0123456789abcdef 1\n",
          "0123456789abcdef 1 0",
          "0123456789abcdef 1 07",
          "0123456789abcdef 1 -7",
          "0123456789abcdef 1 7 ",
          "0123456789abcdef 1 7 8",
          "0123456789abcdef 1  7",
          "0123456789abcdef 1 x",
          "0123456789abcdef 1 9999999999999999999"}) {
        EXPECT_FALSE(parse_activity_notice(bad)) << '"' << bad << '"';
    }
}

std::optional<RedisSettings> test_redis() {
    const char* host = std::getenv("GOMALL_TEST_REDIS_HOST");
    const char* port = std::getenv("GOMALL_TEST_REDIS_PORT");
    if (host == nullptr || port == nullptr) {
        return std::nullopt;
    }
    RedisSettings settings;
    settings.host = host;
    settings.port = std::atoi(port);
    return settings;
}

/// Publishes a harmless notice until the sender counts `listeners` other instances present.
void wait_until_present(RedisActivityBroadcast& sender, std::size_t listeners) {
    for (int i = 0; i < 300; ++i) {
        if (sender.publish(1).listeners == listeners) {
            return;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    FAIL() << "not " << listeners << " instance(s) present within 3 s";
}

TEST(ActivityNoticeTest, AnotherInstanceHearsTheChangeAndTheSenderDoesNot) {
    const auto redis = test_redis();
    if (!redis) {
        GTEST_SKIP() << "set GOMALL_TEST_REDIS_HOST and GOMALL_TEST_REDIS_PORT (scripts/stack start redis)";
    }
    const RedisSettings& settings = *redis;
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

/// Instances on one real Redis under a prefix of their own, refreshing their presence quickly.
class AcknowledgedNoticeTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!redis_) {
            GTEST_SKIP() << "set GOMALL_TEST_REDIS_HOST and GOMALL_TEST_REDIS_PORT (scripts/stack start redis)";
        }
        timings_.presence_every = milliseconds(100);
    }

    std::unique_ptr<RedisActivityBroadcast> instance() {
        return std::make_unique<RedisActivityBroadcast>(*redis_, prefix_, timings_);
    }

    const std::optional<RedisSettings> redis_ = test_redis();
    const std::string prefix_ = "gomall-test-" + std::to_string(std::random_device{}());
    ActivityBroadcastTimings timings_;
};

TEST_F(AcknowledgedNoticeTest, APublishReturnsOnceEveryPresentInstanceAppliedIt) {
    auto owned_a = instance();
    auto owned_b = instance();
    auto owned_c = instance();
    auto& a = *owned_a;
    auto& b = *owned_b;
    auto& c = *owned_c;
    std::atomic<std::int64_t> applied_by_b{0};
    std::atomic<std::int64_t> applied_by_c{0};
    a.start([](std::int64_t) {}, [] {});
    b.start(
        [&](std::int64_t id) {
            std::this_thread::sleep_for(milliseconds(200));  // a slow reload (database, gate)
            applied_by_b = id;
        },
        [] {}
    );
    c.start([&](std::int64_t id) { applied_by_c = id; }, [] {});
    wait_until_present(a, 2);

    const auto started = std::chrono::steady_clock::now();
    const auto report = a.publish(9);
    EXPECT_EQ(report.listeners, 2U);
    EXPECT_EQ(report.confirmed, 2U);
    EXPECT_EQ(applied_by_b, 9) << "the slow instance had applied the change when publish() returned";
    EXPECT_EQ(applied_by_c, 9);
    EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(200));

    // One that left is no longer waited for.
    c.stop();
    const auto after_c_left = a.publish(10);
    EXPECT_EQ(after_c_left.listeners, 1U);
    EXPECT_EQ(after_c_left.confirmed, 1U);
    a.stop();
    b.stop();
}

TEST_F(AcknowledgedNoticeTest, AnInstanceThatCannotApplyCostsTheSenderOnlyTheBound) {
    timings_.confirm_within = milliseconds(300);
    auto owned_a = instance();
    auto owned_b = instance();
    auto& a = *owned_a;
    auto& b = *owned_b;
    a.start([](std::int64_t) {}, [] {});
    b.start(
        [](std::int64_t id) {
            if (id == 13) {
                throw std::runtime_error("database unreachable");
            }
        },
        [] {}
    );
    wait_until_present(a, 1);
    const auto started = std::chrono::steady_clock::now();
    const auto report = a.publish(13);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(report.listeners, 1U);
    EXPECT_EQ(report.confirmed, 0U) << "a notice that failed to apply is not acknowledged";
    EXPECT_GE(took, milliseconds(300));
    EXPECT_LT(took, milliseconds(2000));
    EXPECT_EQ(a.publish(14).confirmed, 1U) << "the next one that applies is";
    a.stop();
    b.stop();
}

}  // namespace
}  // namespace gomall::adapters::redis
