// The ports behind circuit breakers: what counts as a failure for each, that an open breaker
// answers without calling the dependency (with how long to wait), and what always passes through.
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "breaker_test_support.hpp"
#include "core/unavailable.hpp"
#include "services/breaker_payment_gateway.hpp"
#include "services/breaker_purchase_rate_limiter.hpp"
#include "services/breaker_reservation_queue.hpp"
#include "services/breaker_seckill_token_store.hpp"
#include "services/breaker_stock_gate.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using breaker_test::RecordingMetrics;
using breaker_test::StepClock;
using ports::GatewayError;
using ports::GatewayFailure;

template <class T>
T run(boost::asio::awaitable<T> work) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
    io.run();
    return future.get();
}

void run(boost::asio::awaitable<void> work) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
    io.run();
    future.get();
}

BreakerSettings two_failures_ten_seconds() {
    BreakerSettings s;
    s.failure_threshold = 2;
    s.open_duration = 10s;
    s.half_open_probes = 1;
    return s;
}

// ------------------------------------------------------------------------------------------ payment

/// Answers every call with `next`; counts the calls that reached it.
class ScriptedGateway final : public ports::PaymentGateway {
public:
    int calls = 0;
    std::optional<GatewayError> next;  // nullopt: success

    std::string provider() const override { return "wechat_v3"; }
    ports::GatewayResult<ports::NativePayment> create_native(const ports::NativePaymentRequest&) override {
        return answer<ports::NativePayment>(ports::NativePayment{"weixin://wxpay/bizpayurl?pr=x", ""});
    }
    ports::GatewayResult<ports::Transaction> query(const std::string&) override {
        return answer<ports::Transaction>({});
    }
    ports::GatewayResult<std::monostate> close(const std::string&) override { return answer<std::monostate>({}); }
    ports::GatewayResult<ports::Refund> refund(const ports::RefundRequest&) override {
        return answer<ports::Refund>({});
    }
    ports::GatewayResult<ports::Refund> query_refund(const std::string&) override { return answer<ports::Refund>({}); }
    Result<ports::VerifiedNotification> verify_notification(const ports::IncomingNotification&) override {
        ++calls;
        return ports::VerifiedNotification{"evt", ports::Transaction{}};
    }
    ports::NotificationAnswer answer_notification(bool accepted, const std::string&) const override {
        return {accepted ? 200 : 400, "application/json", accepted ? "ok" : "fail"};
    }

private:
    template <class T>
    ports::GatewayResult<T> answer(T value) {
        ++calls;
        if (next) {
            return *next;
        }
        return value;
    }
};

class BreakerPaymentGatewayTest : public ::testing::Test {
protected:
    StepClock clock;
    RecordingMetrics metrics;
    CircuitBreaker breaker{"payment", two_failures_ten_seconds(), clock, metrics};
    ScriptedGateway inner;
    BreakerPaymentGateway gateway{inner, breaker};
};

TEST_F(BreakerPaymentGatewayTest, UnansweredCallsOpenItAndThenNothingReachesTheProvider) {
    inner.next = GatewayError{GatewayFailure::kUnavailable, "timeout", "no answer in 10000 ms"};
    EXPECT_EQ(gateway.unavailable_for(), std::nullopt);
    (void)gateway.create_native({});
    (void)gateway.query("T-1");
    EXPECT_EQ(breaker.state(), BreakerState::kOpen);
    ASSERT_EQ(inner.calls, 2);

    for (int i = 0; i < 5; ++i) {
        const auto answer = gateway.refund({});
        const auto* error = std::get_if<GatewayError>(&answer);
        ASSERT_NE(error, nullptr);
        EXPECT_EQ(error->failure, GatewayFailure::kUnavailable);  // what the service already handles
        EXPECT_EQ(error->code, "circuit_open");
        EXPECT_EQ(error->retry_after, 10s);
    }
    (void)gateway.close("T-1");
    (void)gateway.query_refund("R-1");
    EXPECT_EQ(inner.calls, 2) << "an open breaker called the provider";
    EXPECT_EQ(gateway.unavailable_for(), 10s);
    clock.advance(6s);
    EXPECT_EQ(gateway.unavailable_for(), 4s);
}

TEST_F(BreakerPaymentGatewayTest, TheProvidersOwnRefusalsShowItIsReachable) {
    for (const auto failure :
         {GatewayFailure::kRejected,
          GatewayFailure::kNotFound,
          GatewayFailure::kAlreadyPaid,
          GatewayFailure::kClosed}) {
        inner.next = GatewayError{failure, "CODE", "refused"};
        for (int i = 0; i < 5; ++i) {
            (void)gateway.query("T-1");
        }
    }
    EXPECT_EQ(breaker.state(), BreakerState::kClosed);
    EXPECT_EQ(inner.calls, 20);
}

TEST_F(BreakerPaymentGatewayTest, NotificationsPassThroughAnOpenBreaker) {
    inner.next = GatewayError{GatewayFailure::kUnavailable, "timeout", ""};
    (void)gateway.query("a");
    (void)gateway.query("b");
    ASSERT_EQ(breaker.state(), BreakerState::kOpen);
    EXPECT_TRUE(gateway.verify_notification({}).ok());  // checked locally: nothing to protect
    EXPECT_EQ(gateway.answer_notification(true, "").status, 200);
    EXPECT_EQ(gateway.provider(), "wechat_v3");
}

TEST_F(BreakerPaymentGatewayTest, RecoversThroughAProbeOnceTheProviderAnswers) {
    inner.next = GatewayError{GatewayFailure::kUnavailable, "timeout", ""};
    (void)gateway.query("a");
    (void)gateway.query("b");
    clock.advance(10s);
    EXPECT_EQ(gateway.unavailable_for(), std::nullopt);  // a probe may go
    inner.next.reset();
    const auto answer = gateway.create_native({});
    EXPECT_TRUE(std::holds_alternative<ports::NativePayment>(answer));
    EXPECT_EQ(breaker.state(), BreakerState::kClosed);
    EXPECT_EQ(inner.calls, 3);
}

// ------------------------------------------------------------------------------------------ flash sale

/// A Redis-backed port's stand-in: throws DependencyUnavailable (or another exception) while told to.
struct Outage {
    bool down = false;
    bool broken = false;  // throws something that is not an outage (a bug, a script error)
    int calls = 0;
    void hit() {
        ++calls;
        if (down) {
            throw DependencyUnavailable("no answer");
        }
        if (broken) {
            throw std::logic_error("bad reply");
        }
    }
};

class FlakyGate final : public ports::StockGate {
public:
    explicit FlakyGate(Outage& outage) : outage_(outage) {}
    void load(const domain::SeckillActivity&, std::int64_t, const std::vector<ports::ShopperTally>&) override {
        ++loads;
    }
    void remove(std::int64_t) override {}
    boost::asio::awaitable<domain::ReserveResult> reserve(std::int64_t, std::int64_t, TimePoint, std::string) override {
        outage_.hit();
        co_return domain::ReserveResult{domain::ReserveOutcome::kReserved, 1};
    }
    boost::asio::awaitable<void> release(std::int64_t, std::int64_t) override {
        ++releases;
        co_return;
    }
    boost::asio::awaitable<void> settle(std::int64_t, std::int64_t, int, bool) override {
        ++settles;
        co_return;
    }
    boost::asio::awaitable<void> settle_ordered(std::int64_t, std::vector<std::pair<std::int64_t, int>>) override {
        ++ordered_batches;
        co_return;
    }
    boost::asio::awaitable<std::vector<ports::InFlightReservation>> in_flight_of(std::int64_t, std::int64_t) override {
        outage_.hit();
        co_return std::vector<ports::InFlightReservation>{{2, 1, TimePoint{}, "r1"}};
    }
    std::optional<std::int64_t> available(std::int64_t) const override { return 7; }
    int ordered_batches = 0;
    int loads = 0;
    int releases = 0;
    int settles = 0;

private:
    Outage& outage_;
};

class FlakyTokens final : public ports::SeckillTokenStore {
public:
    explicit FlakyTokens(Outage& outage) : outage_(outage) {}
    boost::asio::awaitable<void> issue(std::int64_t, std::int64_t, std::string, std::chrono::milliseconds, TimePoint)
        override {
        outage_.hit();
        co_return;
    }
    boost::asio::awaitable<bool> consume(std::int64_t, std::int64_t, std::string token, TimePoint) override {
        outage_.hit();
        co_return token == "good";
    }

private:
    Outage& outage_;
};

/// Like the Redis limiter: an outage lets the attempt through without saying so.
class SwallowingLimiter final : public ports::PurchaseRateLimiter {
public:
    explicit SwallowingLimiter(Outage& outage) : outage_(outage) {}
    boost::asio::awaitable<bool> try_acquire(std::int64_t user_id) override {
        ++outage_.calls;
        co_return outage_.down || user_id != 13;  // shopper 13 is over their allowance
    }

private:
    Outage& outage_;
};

class FlakyQueue final : public ports::ReservationQueue {
public:
    explicit FlakyQueue(Outage& outage) : outage_(outage) {}
    boost::asio::awaitable<void> publish(domain::Reservation) override {
        ++outage_.calls;
        if (outage_.down) {
            throw std::runtime_error("no confirm within 5000 ms");  // the queue's failures are plain exceptions
        }
        co_return;
    }
    void on_outcome(std::function<void(const domain::Reservation&)> listener) override {
        listener_ = std::move(listener);
    }
    std::function<void(const domain::Reservation&)> listener_;

private:
    Outage& outage_;
};

class FlashSaleBreakersTest : public ::testing::Test {
protected:
    StepClock clock;
    RecordingMetrics metrics;
    CircuitBreaker redis{"redis", two_failures_ten_seconds(), clock, metrics};
    CircuitBreaker rabbitmq{"rabbitmq", two_failures_ten_seconds(), clock, metrics};
    Outage redis_outage;
    Outage broker_outage;
    FlakyGate raw_gate{redis_outage};
    FlakyTokens raw_tokens{redis_outage};
    SwallowingLimiter raw_limiter{redis_outage};
    FlakyQueue raw_queue{broker_outage};
    BreakerStockGate gate{raw_gate, redis};
    BreakerSeckillTokenStore tokens{raw_tokens, redis};
    BreakerPurchaseRateLimiter limiter{raw_limiter, redis};
    BreakerReservationQueue queue{raw_queue, rabbitmq};
};

TEST_F(FlashSaleBreakersTest, RedisFailuresOpenTheBreakerAndThenReserveIsRefusedWithoutCallingIt) {
    redis_outage.down = true;
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    EXPECT_THROW(run(tokens.consume(1, 2, "good", clock.now())), DependencyUnavailable);
    ASSERT_EQ(redis.state(), BreakerState::kOpen);
    ASSERT_EQ(redis_outage.calls, 2);
    try {
        (void)run(gate.reserve(1, 2, clock.now(), "r2"));
        FAIL() << "reserve went through an open breaker";
    } catch (const CircuitOpen& e) {
        EXPECT_EQ(e.retry_after(), 10s);
    }
    EXPECT_THROW(run(tokens.issue(1, 2, "t", 60s, clock.now())), CircuitOpen);
    EXPECT_THROW(run(tokens.consume(1, 2, "good", clock.now())), CircuitOpen);
    EXPECT_THROW(run(gate.in_flight_of(1, 2)), CircuitOpen);  // a result poll answers from the database
    EXPECT_EQ(redis_outage.calls, 2) << "an open breaker called Redis";
}

TEST_F(FlashSaleBreakersTest, InFlightLookupsAreCountedAndBatchedSettlesStayOneCall) {
    EXPECT_EQ(run(gate.in_flight_of(1, 2)).size(), 1U);
    redis_outage.down = true;
    EXPECT_THROW(run(gate.in_flight_of(1, 2)), DependencyUnavailable);
    EXPECT_THROW(run(gate.in_flight_of(1, 2)), DependencyUnavailable);
    EXPECT_EQ(redis.state(), BreakerState::kOpen);
    // Orders keep their units: one batch reaches the gate as one call, open breaker or not.
    run(gate.settle_ordered(1, {{2, 1}, {3, 1}, {4, 1}}));
    EXPECT_EQ(raw_gate.ordered_batches, 1);
    EXPECT_EQ(raw_gate.settles, 0);
}

TEST_F(FlashSaleBreakersTest, UnitsAreReturnedAndAdminCallsMadeWhateverTheBreakerSays) {
    redis_outage.down = true;
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    ASSERT_EQ(redis.state(), BreakerState::kOpen);
    run(gate.settle(1, 2, 1, true));
    run(gate.release(1, 2));
    gate.load(domain::SeckillActivity{}, 10, {});
    EXPECT_EQ(raw_gate.settles, 1);
    EXPECT_EQ(raw_gate.releases, 1);
    EXPECT_EQ(raw_gate.loads, 1);
    EXPECT_EQ(gate.available(1), 7);
}

TEST_F(FlashSaleBreakersTest, AnswersOfAnyKindKeepItClosedAndOtherExceptionsSayNothing) {
    for (int i = 0; i < 10; ++i) {
        EXPECT_FALSE(run(tokens.consume(1, 2, "wrong", clock.now())));  // a wrong token is an answer
    }
    redis_outage.broken = true;
    for (int i = 0; i < 10; ++i) {
        EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r")), std::logic_error);
    }
    EXPECT_EQ(redis.state(), BreakerState::kClosed);
}

TEST_F(FlashSaleBreakersTest, TheLimiterLetsAttemptsThroughAtOnceWhileRedisIsOpen) {
    EXPECT_FALSE(run(limiter.try_acquire(13)));  // a refusal: Redis answered
    redis_outage.down = true;
    EXPECT_TRUE(run(limiter.try_acquire(13)));  // the limiter's own fallback: let through
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    ASSERT_EQ(redis.state(), BreakerState::kOpen) << "the limiter's silent fallback must not count as a success";
    const int before = redis_outage.calls;
    EXPECT_TRUE(run(limiter.try_acquire(13)));
    EXPECT_EQ(redis_outage.calls, before) << "the limiter waited on Redis behind an open breaker";
}

TEST_F(FlashSaleBreakersTest, BrokerFailuresOpenItsOwnBreakerOnly) {
    broker_outage.down = true;
    EXPECT_THROW(run(queue.publish({})), std::runtime_error);
    EXPECT_THROW(run(queue.publish({})), std::runtime_error);
    ASSERT_EQ(rabbitmq.state(), BreakerState::kOpen);
    EXPECT_EQ(redis.state(), BreakerState::kClosed);
    EXPECT_THROW(run(queue.publish({})), CircuitOpen);
    EXPECT_EQ(broker_outage.calls, 2);
    // outcomes still reach the service
    int heard = 0;
    queue.on_outcome([&](const domain::Reservation&) { ++heard; });
    raw_queue.listener_(domain::Reservation{});
    EXPECT_EQ(heard, 1);
}

TEST_F(FlashSaleBreakersTest, TheSaleResumesThroughAProbeWhenRedisIsBack) {
    redis_outage.down = true;
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), DependencyUnavailable);
    redis_outage.down = false;
    EXPECT_THROW(run(gate.reserve(1, 2, clock.now(), "r1")), CircuitOpen);
    clock.advance(10s);
    EXPECT_EQ(run(gate.reserve(1, 2, clock.now(), "r3")).outcome, domain::ReserveOutcome::kReserved);
    EXPECT_EQ(redis.state(), BreakerState::kClosed);
}

}  // namespace
}  // namespace gomall::services
