// The Redis client, stock gate and purchase limiter against a real redis-server, whose address comes
// from GOMALL_TEST_REDIS_HOST / GOMALL_TEST_REDIS_PORT (scripts/stack start redis writes them).
// Without them the tests skip.
#include "adapters/redis/redis_stock_gate.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_rate_limiter.hpp"
#include "unit/adapters/redis_test_server.hpp"

namespace gomall::adapters::redis {
namespace {

using domain::ReserveOutcome;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ManualClock final : public ports::Clock {
public:
    TimePoint now() const override { return now_; }
    TimePoint now_ = TimePoint(seconds(1'800'000'000));
};

class RedisAdapterTest : public RedisServerTest {
protected:
    void SetUp() override {
        RedisServerTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        gate_.emplace(*client_, *blocking_, prefix_);
    }

    void TearDown() override {
        gate_.reset();
        RedisServerTest::TearDown();
    }

    domain::SeckillActivity activity(std::int64_t id, std::int64_t stock, int limit = 1) const {
        domain::SeckillActivity a;
        a.id = id;
        a.product_id = 7;
        a.total_stock = stock;
        a.per_user_limit = limit;
        a.price = 100;
        a.start_time = clock_.now_ - seconds(10);
        a.end_time = clock_.now_ + seconds(3600);
        return a;
    }

    domain::ReserveResult reserve(std::int64_t activity_id, std::int64_t user) {
        return run(io_, gate_->reserve(activity_id, user, clock_.now_, "res-" + std::to_string(user)));
    }

    ManualClock clock_;
    std::optional<RedisStockGate> gate_;
};

TEST_F(RedisAdapterTest, ClientRunsCommandsAndReturnsErrorReplies) {
    auto set = run(io_, client_->command({"SET", prefix_ + ":k", "v 1"}));
    EXPECT_EQ(set.type, RedisReply::Type::kStatus);
    auto get = run(io_, client_->command({"GET", prefix_ + ":k"}));
    EXPECT_EQ(get.text, "v 1");
    auto missing = run(io_, client_->command({"GET", prefix_ + ":none"}));
    EXPECT_TRUE(missing.is_nil());
    auto bad = run(io_, client_->command({"NOSUCHCOMMAND"}));
    EXPECT_TRUE(bad.is_error());
}

TEST_F(RedisAdapterTest, UnreachableServerFailsFastWithUnavailable) {
    RedisSettings nowhere = settings_;
    nowhere.port = 1;  // nothing listens on port 1 on loopback
    nowhere.reconnect_min = milliseconds(20);
    RedisClient client(nowhere);
    client.start();
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(run(io_, client.command({"PING"})), RedisUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(500));
    EXPECT_FALSE(client.connected());
    client.stop();
    RedisBlockingConnection blocking(nowhere);
    EXPECT_THROW(blocking.command({"PING"}), RedisUnavailable);
}

TEST_F(RedisAdapterTest, AStuckServerTimesOutAndTheClientReconnects) {
    RedisSettings one = settings_;
    one.connections = 1;
    one.command_timeout = milliseconds(200);
    RedisClient client(one);
    client.start();
    for (int i = 0; i < 200 && !client.connected(); ++i) {
        std::this_thread::sleep_for(milliseconds(10));
    }
    // A BLPOP on an empty list holds its reply back for a second, like a stuck server would.
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(run(io_, client.command({"BLPOP", prefix_ + ":never", "1"})), RedisUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(900));
    for (int i = 0; i < 200 && !client.connected(); ++i) {
        std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_EQ(run(io_, client.command({"PING"})).text, "PONG");
    client.stop();
}

TEST_F(RedisAdapterTest, ConcurrentReservesNeverOversellAndHoldTheLimit) {
    gate_->load(activity(1, 100), 100, {});
    // 300 attempts from 150 shoppers, all in flight at once over the pipelined connections.
    std::vector<std::future<domain::ReserveResult>> futures;
    for (int i = 0; i < 300; ++i) {
        futures.push_back(boost::asio::co_spawn(
            io_, gate_->reserve(1, 1000 + (i % 150), clock_.now_, "crowd-" + std::to_string(i)), boost::asio::use_future
        ));
    }
    std::map<ReserveOutcome, int> outcomes;
    std::map<std::int64_t, int> per_user;
    for (int i = 0; i < 300; ++i) {
        const auto r = futures[static_cast<std::size_t>(i)].get();
        ++outcomes[r.outcome];
        if (r.outcome == ReserveOutcome::kReserved) {
            EXPECT_EQ(r.seq, 1);
            ++per_user[1000 + (i % 150)];
        }
    }
    EXPECT_EQ(outcomes[ReserveOutcome::kReserved], 100);
    EXPECT_EQ(
        outcomes[ReserveOutcome::kReserved] + outcomes[ReserveOutcome::kSoldOut] +
            outcomes[ReserveOutcome::kLimitReached],
        300
    );
    for (const auto& [user, n] : per_user) {
        EXPECT_EQ(n, 1) << "user " << user;
    }
    EXPECT_EQ(gate_->available(1), 0);
    const auto snap = gate_->snapshot(1);
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->available, 0);
    EXPECT_EQ(snap->in_flight.size(), 100U);
    for (const auto& r : snap->in_flight) {
        // Each in-flight entry keeps the id its reserve was given (crowd-<i> for shopper 1000 + i % 150).
        ASSERT_EQ(r.reservation_id.rfind("crowd-", 0), 0U) << r.reservation_id;
        const int i = std::stoi(r.reservation_id.substr(6));
        EXPECT_EQ(r.user_id, 1000 + (i % 150)) << r.reservation_id;
        EXPECT_EQ(r.seq, 1);
    }
}

TEST_F(RedisAdapterTest, WindowIsCheckedInsideRedis) {
    auto a = activity(2, 5);
    a.start_time = clock_.now_ + seconds(60);
    gate_->load(a, 5, {});
    EXPECT_EQ(reserve(2, 1).outcome, ReserveOutcome::kNotStarted);
    a.start_time = clock_.now_ - seconds(120);
    a.end_time = clock_.now_ - seconds(60);
    gate_->load(a, 5, {});  // known activity: only the window changes
    EXPECT_EQ(reserve(2, 1).outcome, ReserveOutcome::kEnded);
    EXPECT_EQ(gate_->snapshot(2)->available, 5);
    EXPECT_EQ(reserve(999, 1).outcome, ReserveOutcome::kUnknownActivity);
}

TEST_F(RedisAdapterTest, SettleIsOncePerReservation) {
    gate_->load(activity(3, 2, 2), 2, {});
    const auto first = reserve(3, 42);
    const auto second = reserve(3, 42);
    ASSERT_EQ(first.outcome, ReserveOutcome::kReserved);
    ASSERT_EQ(second.seq, 2);
    EXPECT_EQ(reserve(3, 42).outcome, ReserveOutcome::kLimitReached);

    // The first became an order: it keeps its unit, and is no longer in flight.
    run(io_, gate_->settle(3, 42, first.seq, false));
    // The second failed: its unit and the shopper's mark return, once, however often it is repeated.
    run(io_, gate_->settle(3, 42, second.seq, true));
    run(io_, gate_->settle(3, 42, second.seq, true));
    const auto snap = gate_->snapshot(3);
    EXPECT_EQ(snap->available, 1);
    EXPECT_TRUE(snap->in_flight.empty());
    const auto third = reserve(3, 42);
    EXPECT_EQ(third.outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(third.seq, 3);  // seq numbers are never reused

    // A cancelled order returns its unit through release.
    run(io_, gate_->release(3, 42));
    EXPECT_EQ(gate_->snapshot(3)->available, 1);
}

TEST_F(RedisAdapterTest, SettleOrderedForgetsManyReservationsInOneCallAndKeepsTheirUnitsSold) {
    gate_->load(activity(7, 1000), 1000, {});
    std::vector<std::pair<std::int64_t, int>> ordered;
    for (std::int64_t user = 1; user <= 600; ++user) {  // more than one HDEL's worth of fields
        const auto reserved = reserve(7, user);
        ASSERT_EQ(reserved.outcome, ReserveOutcome::kReserved);
        ordered.emplace_back(user, reserved.seq);
    }
    const auto kept = reserve(7, 601);  // not ordered yet: stays in flight for the reconciler
    ASSERT_EQ(kept.outcome, ReserveOutcome::kReserved);
    run(io_, gate_->settle_ordered(7, ordered));
    auto snap = gate_->snapshot(7);
    EXPECT_EQ(snap->available, 399);
    ASSERT_EQ(snap->in_flight.size(), 1U);
    EXPECT_EQ(snap->in_flight.front().user_id, 601);
    // Still counted against the shoppers' limit, and repeating it changes nothing.
    EXPECT_EQ(reserve(7, 1).outcome, ReserveOutcome::kLimitReached);
    run(io_, gate_->settle_ordered(7, ordered));
    EXPECT_EQ(gate_->snapshot(7)->available, 399);
}

TEST_F(RedisAdapterTest, InFlightOfListsOnlyTheShoppersUnsettledReservationsNewestFirst) {
    gate_->load(activity(12, 10, 3), 10, {});
    EXPECT_TRUE(run(io_, gate_->in_flight_of(12, 42)).empty());
    const auto first = reserve(12, 42);
    const auto second = reserve(12, 42);
    const auto third = reserve(12, 42);
    ASSERT_EQ(third.outcome, ReserveOutcome::kReserved);
    ASSERT_EQ(reserve(12, 43).outcome, ReserveOutcome::kReserved);  // someone else's: never listed

    run(io_, gate_->settle(12, 42, second.seq, false));  // became an order
    auto found = run(io_, gate_->in_flight_of(12, 42));
    ASSERT_EQ(found.size(), 2U);
    EXPECT_EQ(found[0].seq, third.seq);
    EXPECT_EQ(found[1].seq, first.seq);
    for (const auto& r : found) {
        EXPECT_EQ(r.user_id, 42);
        EXPECT_EQ(r.reservation_id, "res-42");
        EXPECT_EQ(r.reserved_at, clock_.now_);
    }
    run(io_, gate_->settle_ordered(12, {{42, first.seq}, {42, third.seq}}));
    EXPECT_TRUE(run(io_, gate_->in_flight_of(12, 42)).empty());
    EXPECT_TRUE(run(io_, gate_->in_flight_of(99, 42)).empty());  // an activity Redis does not know
}

TEST_F(RedisAdapterTest, AnotherInstancesSalesAndReturnsReachThisInstancesCountOnRefresh) {
    // Two gates on one Redis: two shop instances selling the same activity.
    RedisStockGate other(*client_, *blocking_, prefix_);
    gate_->load(activity(13, 3), 3, {});
    other.load(activity(13, 3), 3, {});
    ASSERT_EQ(run(io_, other.reserve(13, 1, clock_.now_, "a")).outcome, ReserveOutcome::kReserved);
    ASSERT_EQ(run(io_, other.reserve(13, 2, clock_.now_, "b")).outcome, ReserveOutcome::kReserved);
    ASSERT_EQ(run(io_, other.reserve(13, 3, clock_.now_, "c")).outcome, ReserveOutcome::kReserved);
    EXPECT_EQ(other.available(13), 0);
    EXPECT_EQ(gate_->available(13), 3) << "only its own scripts told this gate anything";
    EXPECT_EQ(gate_->refresh_available(), 1U);
    EXPECT_EQ(gate_->available(13), 0);  // sold out here too, without a script

    run(io_, gate_->release(13, 1));  // a cancelled order, through this instance
    EXPECT_EQ(other.available(13), 0);
    EXPECT_EQ(other.refresh_available(), 1U);
    EXPECT_EQ(other.available(13), 1);

    gate_->forget(13);  // its keys are gone: the last count is kept, nothing is read
    EXPECT_EQ(gate_->refresh_available(), 0U);
}

TEST_F(RedisAdapterTest, LostDataIsRebuiltFromTheTallyWithSeqNumbersAboveTheDatabases) {
    gate_->load(activity(4, 10), 10, {});
    ASSERT_EQ(reserve(4, 5).outcome, ReserveOutcome::kReserved);
    for (const auto& key : gate_->keys_of(4)) {
        blocking_->command({"DEL", key});
    }
    EXPECT_FALSE(gate_->snapshot(4));
    EXPECT_EQ(reserve(4, 6).outcome, ReserveOutcome::kUnknownActivity);

    // The database says: user 5 holds one (seq 1), 3 units taken in all.
    gate_->load(activity(4, 10), 7, {{5, 1, 1}});
    EXPECT_EQ(gate_->available(4), 7);
    EXPECT_EQ(reserve(4, 5).outcome, ReserveOutcome::kLimitReached);
    const auto fresh = reserve(4, 6);
    ASSERT_EQ(fresh.outcome, ReserveOutcome::kReserved);
    EXPECT_GT(fresh.seq, 10'000);  // cannot collide with a reservation still in the broker
}

TEST_F(RedisAdapterTest, CorrectionOnlyAppliesWhenNothingMoved) {
    gate_->load(activity(5, 10), 10, {});
    EXPECT_FALSE(gate_->correct_available(5, 9, 8));  // stale view: refused
    EXPECT_TRUE(gate_->correct_available(5, 10, 8));
    EXPECT_EQ(gate_->snapshot(5)->available, 8);
    ASSERT_EQ(reserve(5, 1).outcome, ReserveOutcome::kReserved);
    EXPECT_FALSE(gate_->correct_available(5, 7, 9));  // one in flight: refused
}

TEST_F(RedisAdapterTest, ForgetDeletesEveryKeyOfTheActivityAndALoadStartsAfresh) {
    gate_->load(activity(7, 5), 5, {});
    ASSERT_EQ(reserve(7, 1).outcome, ReserveOutcome::kReserved);
    gate_->forget(7);
    for (const auto& key : gate_->keys_of(7)) {
        EXPECT_EQ(blocking_->command({"EXISTS", key}).as_integer(), 0) << key;
    }
    EXPECT_FALSE(gate_->snapshot(7));
    EXPECT_FALSE(gate_->available(7));
    EXPECT_EQ(reserve(7, 2).outcome, ReserveOutcome::kUnknownActivity);
    gate_->load(activity(7, 5), 4, {{1, 1, 1}});
    EXPECT_EQ(reserve(7, 1).outcome, ReserveOutcome::kLimitReached);
    EXPECT_EQ(reserve(7, 2).outcome, ReserveOutcome::kReserved);
}

TEST_F(RedisAdapterTest, ScriptsSurviveAFlushedScriptCache) {
    gate_->load(activity(6, 3), 3, {});
    blocking_->command({"SCRIPT", "FLUSH"});
    EXPECT_EQ(reserve(6, 1).outcome, ReserveOutcome::kReserved);
}

TEST_F(RedisAdapterTest, RateLimiterAllowsTheBurstThenRefuses) {
    RedisPurchaseRateLimiter limiter(*client_, clock_, prefix_, 5.0, 3.0);
    int allowed = 0;
    for (int i = 0; i < 5; ++i) {
        allowed += run(io_, limiter.try_acquire(77)) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 3);
    clock_.now_ += milliseconds(400);  // two tokens back at 5/s
    allowed = 0;
    for (int i = 0; i < 5; ++i) {
        allowed += run(io_, limiter.try_acquire(77)) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 2);
    EXPECT_TRUE(run(io_, limiter.try_acquire(78)));  // another shopper has their own bucket
}

}  // namespace
}  // namespace gomall::adapters::redis
