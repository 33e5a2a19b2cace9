// RedisSeckillTokenStore against a real redis-server, whose address comes from
// GOMALL_TEST_REDIS_HOST / GOMALL_TEST_REDIS_PORT (scripts/stack start redis writes them).
// Without them the tests skip.
#include "adapters/redis/redis_seckill_token_store.hpp"

#include <chrono>
#include <cstdlib>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"
#include "unit/adapters/redis_test_server.hpp"

namespace gomall::adapters::redis {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1'800'000'000));

class RedisSeckillTokenStoreTest : public RedisServerTest {
protected:
    void SetUp() override {
        RedisServerTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_.emplace(*client_, prefix_);
    }

    void TearDown() override {
        store_.reset();
        RedisServerTest::TearDown();
    }

    void issue(std::int64_t activity, std::int64_t user, const std::string& token, milliseconds ttl = seconds(60)) {
        run(io_, store_->issue(activity, user, token, ttl, kNow));
    }
    bool consume(std::int64_t activity, std::int64_t user, const std::string& token, TimePoint at = kNow) {
        return run(io_, store_->consume(activity, user, token, at));
    }

    std::optional<RedisSeckillTokenStore> store_;
};

TEST_F(RedisSeckillTokenStoreTest, ATokenIsSpentOnceByItsOwnerForItsActivity) {
    issue(1, 100, "abc");
    EXPECT_FALSE(consume(1, 200, "abc"));  // another shopper
    EXPECT_FALSE(consume(2, 100, "abc"));  // another activity
    EXPECT_FALSE(consume(1, 100, "abd"));  // a wrong guess ...
    EXPECT_FALSE(consume(1, 100, ""));
    EXPECT_TRUE(consume(1, 100, "abc"));   // ... does not cost the owner their token
    EXPECT_FALSE(consume(1, 100, "abc"));  // single use
    EXPECT_EQ(blocking_->command({"EXISTS", store_->key_of(1, 100)}).integer, 0);
}

TEST_F(RedisSeckillTokenStoreTest, KeysCarryTheActivityHashTagAndExpireInRedis) {
    EXPECT_EQ(store_->key_of(42, 7), prefix_ + ":tk:{a42}:7");
    issue(42, 7, "abc", seconds(30));
    const auto ttl = blocking_->command({"PTTL", store_->key_of(42, 7)}).integer;
    EXPECT_GT(ttl, 25'000);
    EXPECT_LE(ttl, 30'000);
}

TEST_F(RedisSeckillTokenStoreTest, ANewTokenReplacesTheShoppersEarlierOne) {
    issue(1, 100, "first");
    issue(1, 100, "second");
    EXPECT_FALSE(consume(1, 100, "first"));
    EXPECT_TRUE(consume(1, 100, "second"));
}

TEST_F(RedisSeckillTokenStoreTest, ExpiryFollowsTheCallersClock) {
    issue(1, 100, "abc");
    // Valid for [now, now + ttl); once presented after that, it is forgotten.
    EXPECT_FALSE(consume(1, 100, "abc", kNow + seconds(60)));
    EXPECT_EQ(blocking_->command({"EXISTS", store_->key_of(1, 100)}).integer, 0);
    issue(1, 100, "abc");
    EXPECT_TRUE(consume(1, 100, "abc", kNow + seconds(59)));
}

TEST_F(RedisSeckillTokenStoreTest, ConcurrentSpendsOfOneTokenHaveOneWinner) {
    issue(3, 100, "tok");
    // Every attempt in flight at once over the pipelined connections, as two instances would send them.
    std::vector<std::future<bool>> attempts;
    for (int i = 0; i < 50; ++i) {
        attempts.push_back(boost::asio::co_spawn(io_, store_->consume(3, 100, "tok", kNow), boost::asio::use_future));
    }
    int winners = 0;
    for (auto& attempt : attempts) {
        winners += attempt.get() ? 1 : 0;
    }
    EXPECT_EQ(winners, 1);
}

TEST_F(RedisSeckillTokenStoreTest, AStoreOnAnotherClientSeesTheToken) {
    // A second instance: its own client and store object, the same Redis and prefix.
    RedisClient other_client(settings_);
    other_client.start();
    for (int i = 0; i < 200 && !other_client.connected(); ++i) {
        std::this_thread::sleep_for(milliseconds(10));
    }
    RedisSeckillTokenStore other(other_client, prefix_);
    issue(4, 100, "shared");
    EXPECT_TRUE(run(io_, other.consume(4, 100, "shared", kNow)));
    EXPECT_FALSE(consume(4, 100, "shared"));
    other_client.stop();
}

TEST_F(RedisSeckillTokenStoreTest, AnUnreachableServerFailsFastWithUnavailable) {
    RedisSettings nowhere = settings_;
    nowhere.port = 1;  // nothing listens on port 1 on loopback
    RedisClient client(nowhere);
    client.start();
    RedisSeckillTokenStore store(client, prefix_);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(run(io_, store.issue(1, 100, "abc", seconds(60), kNow)), RedisUnavailable);
    EXPECT_THROW(run(io_, store.consume(1, 100, "abc", kNow)), RedisUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(500));
    client.stop();
}

}  // namespace
}  // namespace gomall::adapters::redis
