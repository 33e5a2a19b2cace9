// The circuit breaker's state machine with a clock the test moves: every transition, the probes,
// late verdicts, what it publishes, and many threads at once.
#include "services/circuit_breaker.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "breaker_test_support.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using breaker_test::RecordingMetrics;
using breaker_test::StepClock;

BreakerSettings settings(int threshold = 3, std::chrono::milliseconds open = 10s, int probes = 1) {
    BreakerSettings s;
    s.failure_threshold = threshold;
    s.open_duration = open;
    s.half_open_probes = probes;
    return s;
}

class CircuitBreakerTest : public ::testing::Test {
protected:
    void fail_times(CircuitBreaker& b, int n) {
        for (int i = 0; i < n; ++i) {
            auto call = b.try_call();
            ASSERT_TRUE(call.has_value()) << "call " << i << " refused";
            call->failed();
        }
    }
    double gauge(const std::string& name) { return metrics.value("gomall_circuit_breaker_state", {name}); }
    double transitions(const std::string& name, const std::string& to) {
        return metrics.value("gomall_circuit_breaker_transitions_total", {name, to});
    }
    double rejected(const std::string& name) { return metrics.value("gomall_circuit_breaker_rejected_total", {name}); }

    StepClock clock;
    RecordingMetrics metrics;
};

TEST_F(CircuitBreakerTest, StartsClosedAndLetsCallsThrough) {
    CircuitBreaker b("redis", settings(), clock, metrics);
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    EXPECT_EQ(b.refusing(), std::nullopt);
    for (int i = 0; i < 100; ++i) {
        auto call = b.try_call();
        ASSERT_TRUE(call.has_value());
        call->succeeded();
    }
    EXPECT_EQ(gauge("redis"), 0);
    EXPECT_EQ(transitions("redis", "open"), 0);
    EXPECT_EQ(rejected("redis"), 0);
}

TEST_F(CircuitBreakerTest, OpensAfterThresholdFailuresInARow) {
    CircuitBreaker b("redis", settings(3), clock, metrics);
    fail_times(b, 2);
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    fail_times(b, 1);
    EXPECT_EQ(b.state(), BreakerState::kOpen);
    EXPECT_EQ(gauge("redis"), 2);
    EXPECT_EQ(transitions("redis", "open"), 1);
}

TEST_F(CircuitBreakerTest, ASuccessBetweenFailuresStartsTheCountAgain) {
    CircuitBreaker b("redis", settings(3), clock, metrics);
    for (int round = 0; round < 10; ++round) {
        fail_times(b, 2);
        b.try_call()->succeeded();
    }
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    fail_times(b, 3);
    EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST_F(CircuitBreakerTest, OpenRefusesAtOnceAndSaysHowLongToWait) {
    CircuitBreaker b("payment", settings(1, 10s), clock, metrics);
    fail_times(b, 1);
    EXPECT_FALSE(b.try_call().has_value());
    EXPECT_EQ(b.refusing(), 10s);
    clock.advance(2500ms);
    EXPECT_EQ(b.refusing(), 8s);  // 7.5 s left, rounded up: a Retry-After must not be early
    try {
        (void)b.call();
        FAIL() << "call() let a call through an open breaker";
    } catch (const CircuitOpen& e) {
        EXPECT_EQ(e.retry_after(), 8s);
        EXPECT_NE(std::string(e.what()).find("payment"), std::string::npos);
    }
    clock.advance(7499ms);
    EXPECT_EQ(b.refusing(), 1s);  // never 0: the header would say "now"
    EXPECT_EQ(rejected("payment"), 2) << "asking refusing() is not a call";
    EXPECT_EQ(b.refuse_early(), 1s);
    EXPECT_EQ(rejected("payment"), 3) << "a caller that gave up on refuse_early() was refused";
    clock.advance(1ms);
    EXPECT_EQ(b.refuse_early(), std::nullopt);
    EXPECT_EQ(rejected("payment"), 3);
}

TEST_F(CircuitBreakerTest, TurnsHalfOpenWhenTheOpenTimeIsOverAndLetsOneProbeThrough) {
    CircuitBreaker b("redis", settings(1, 10s, 1), clock, metrics);
    fail_times(b, 1);
    clock.advance(9999ms);
    EXPECT_EQ(b.state(), BreakerState::kOpen);
    clock.advance(1ms);
    EXPECT_EQ(b.state(), BreakerState::kHalfOpen);  // seen by /ready and the gauge without a call
    EXPECT_EQ(gauge("redis"), 1);
    EXPECT_EQ(b.refusing(), std::nullopt);
    auto probe = b.try_call();
    ASSERT_TRUE(probe.has_value());
    EXPECT_FALSE(b.try_call().has_value()) << "a second call while the probe is out";
    EXPECT_EQ(b.refusing(), 1s);
    probe->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    EXPECT_EQ(gauge("redis"), 0);
    EXPECT_EQ(transitions("redis", "half_open"), 1);
    EXPECT_EQ(transitions("redis", "closed"), 1);
    EXPECT_TRUE(b.try_call().has_value());
}

TEST_F(CircuitBreakerTest, AFirstCallAfterTheOpenTimeIsTheProbe) {
    CircuitBreaker b("redis", settings(1, 1s, 1), clock, metrics);
    fail_times(b, 1);
    clock.advance(1s);
    auto probe = b.try_call();  // no state() in between: the call itself moves it to half-open
    ASSERT_TRUE(probe.has_value());
    EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
    probe->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, AFailedProbeOpensItAgainForAWholeOpenTime) {
    CircuitBreaker b("rabbitmq", settings(2, 5s, 1), clock, metrics);
    fail_times(b, 2);
    clock.advance(5s);
    auto probe = b.try_call();
    ASSERT_TRUE(probe.has_value());
    probe->failed();
    EXPECT_EQ(b.state(), BreakerState::kOpen);
    EXPECT_EQ(b.refusing(), 5s);
    EXPECT_EQ(transitions("rabbitmq", "open"), 2);
    clock.advance(4999ms);
    EXPECT_FALSE(b.try_call().has_value());
    clock.advance(1ms);
    auto again = b.try_call();
    ASSERT_TRUE(again.has_value());
    again->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    // closed again: the failure count starts from zero
    fail_times(b, 1);
    EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, SeveralProbesMustAllSucceedAndAnyFailureReopens) {
    CircuitBreaker b("payment", settings(1, 1s, 3), clock, metrics);
    fail_times(b, 1);
    clock.advance(1s);
    auto p1 = b.try_call();
    auto p2 = b.try_call();
    auto p3 = b.try_call();
    ASSERT_TRUE(p1 && p2 && p3);
    EXPECT_FALSE(b.try_call().has_value()) << "a fourth trial call";
    p1->succeeded();
    p2->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
    EXPECT_FALSE(b.try_call().has_value()) << "a passed probe does not free a slot";
    p3->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);

    fail_times(b, 1);
    clock.advance(1s);
    auto q1 = b.try_call();
    auto q2 = b.try_call();
    ASSERT_TRUE(q1 && q2);
    q1->succeeded();
    q2->failed();
    EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST_F(CircuitBreakerTest, AProbeDroppedWithoutVerdictFreesItsSlot) {
    CircuitBreaker b("redis", settings(1, 1s, 1), clock, metrics);
    fail_times(b, 1);
    clock.advance(1s);
    {
        auto probe = b.try_call();
        ASSERT_TRUE(probe.has_value());
        // dropped: an exception that says nothing about the dependency
    }
    EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
    auto next = b.try_call();
    ASSERT_TRUE(next.has_value());
    next->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, ACallDroppedWithoutVerdictWhileClosedCountsAsNothing) {
    CircuitBreaker b("redis", settings(2), clock, metrics);
    fail_times(b, 1);
    { auto call = b.try_call(); }
    fail_times(b, 1);
    EXPECT_EQ(b.state(), BreakerState::kOpen) << "the dropped call must not have reset the count";
}

TEST_F(CircuitBreakerTest, VerdictsOfCallsLetThroughBeforeAChangeAreIgnored) {
    CircuitBreaker b("redis", settings(2, 1s, 1), clock, metrics);
    auto slow_ok = b.try_call();   // a call that will answer late
    auto slow_bad = b.try_call();  // and one that will time out late
    ASSERT_TRUE(slow_ok && slow_bad);
    fail_times(b, 2);
    ASSERT_EQ(b.state(), BreakerState::kOpen);
    slow_ok->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kOpen) << "a late success closed an open breaker";

    clock.advance(1s);
    auto probe = b.try_call();
    ASSERT_TRUE(probe.has_value());
    slow_bad->failed();
    EXPECT_EQ(b.state(), BreakerState::kHalfOpen) << "a late failure reopened it under a probe";
    probe->succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    EXPECT_EQ(transitions("redis", "open"), 1);
}

TEST_F(CircuitBreakerTest, AVerdictIsGivenOnceAndAMovedCallCarriesIt) {
    CircuitBreaker b("redis", settings(2), clock, metrics);
    auto call = b.try_call();
    ASSERT_TRUE(call.has_value());
    CircuitBreaker::Call moved = std::move(*call);
    call.reset();  // the moved-from permit says nothing when it goes
    moved.failed();
    moved.failed();  // a second verdict is ignored
    moved.succeeded();
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    fail_times(b, 1);
    EXPECT_EQ(b.state(), BreakerState::kOpen) << "the first failure was not counted";
}

TEST_F(CircuitBreakerTest, RefusesSettingsThatCannotWork) {
    EXPECT_THROW(CircuitBreaker("x", settings(0), clock, metrics), std::invalid_argument);
    EXPECT_THROW(CircuitBreaker("x", settings(-5), clock, metrics), std::invalid_argument);
    EXPECT_THROW(CircuitBreaker("x", settings(1, 0ms), clock, metrics), std::invalid_argument);
    EXPECT_THROW(CircuitBreaker("x", settings(1, -1s), clock, metrics), std::invalid_argument);
    EXPECT_THROW(CircuitBreaker("x", settings(1, 1s, 0), clock, metrics), std::invalid_argument);
}

TEST_F(CircuitBreakerTest, StateNamesAreTheMetricsAndReadyWords) {
    EXPECT_EQ(breaker_state_name(BreakerState::kClosed), "closed");
    EXPECT_EQ(breaker_state_name(BreakerState::kHalfOpen), "half_open");
    EXPECT_EQ(breaker_state_name(BreakerState::kOpen), "open");
}

TEST_F(CircuitBreakerTest, ManyThreadsFailingOpenItExactlyOnce) {
    CircuitBreaker b("redis", settings(50, 1h), clock, metrics);
    std::atomic<int> admitted{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                if (auto call = b.try_call()) {
                    ++admitted;
                    call->failed();
                } else {
                    ++refused;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(b.state(), BreakerState::kOpen);
    EXPECT_EQ(transitions("redis", "open"), 1);
    EXPECT_GE(admitted.load(), 50);
    EXPECT_EQ(admitted + refused, 8 * 2000);
    EXPECT_EQ(rejected("redis"), refused.load());
}

TEST_F(CircuitBreakerTest, ManyThreadsSucceedingNeverOpenIt) {
    CircuitBreaker b("redis", settings(3, 1h), clock, metrics);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                auto call = b.try_call();
                ASSERT_TRUE(call.has_value());
                call->succeeded();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(b.state(), BreakerState::kClosed);
    EXPECT_EQ(transitions("redis", "open"), 0);
}

TEST_F(CircuitBreakerTest, ManyThreadsAtAHalfOpenBreakerGetExactlyTheProbes) {
    CircuitBreaker b("redis", settings(1, 1s, 4), clock, metrics);
    fail_times(b, 1);
    clock.advance(1s);
    std::atomic<int> admitted{0};
    std::vector<std::optional<CircuitBreaker::Call>> held(16);
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 100 && !held[t]; ++i) {
                if (auto call = b.try_call()) {
                    ++admitted;
                    held[t].emplace(std::move(*call));  // keeps its probe slot until the verdict
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(admitted.load(), 4);
    EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
    for (auto& call : held) {
        if (call) {
            call->succeeded();
        }
    }
    EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, ManyThreadsThroughWholeCyclesKeepTheCountsConsistent) {
    // Threads fail and succeed at random while the clock moves: whatever interleaving happens,
    // every open is followed by a half-open before the next close, and the gauge ends on the state.
    CircuitBreaker b("rabbitmq", settings(5, 1ms, 2), clock, metrics);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            unsigned seed = 7U * static_cast<unsigned>(t) + 1U;
            while (!stop.load()) {
                seed = seed * 1103515245U + 12345U;
                if (auto call = b.try_call()) {
                    if ((seed >> 16U) % 3U == 0U) {
                        call->succeeded();
                    } else {
                        call->failed();
                    }
                }
            }
        });
    }
    std::thread ticker([&] {
        for (int i = 0; i < 2000; ++i) {
            clock.advance(1ms);
            std::this_thread::yield();
        }
        stop = true;
    });
    ticker.join();
    for (auto& t : threads) {
        t.join();
    }
    const double opened = transitions("rabbitmq", "open");
    const double half = transitions("rabbitmq", "half_open");
    const double closed = transitions("rabbitmq", "closed");
    EXPECT_GT(opened, 0);
    EXPECT_LE(closed, half);              // only a half-open breaker closes
    EXPECT_LE(half, opened);              // only an open one turns half-open
    EXPECT_GE(closed + opened, half);     // every half-open ended closed or open again (or is still)
    const BreakerState last = b.state();  // first: reading the state may move it to half-open
    EXPECT_EQ(gauge("rabbitmq"), static_cast<double>(static_cast<int>(last)));
}

}  // namespace
}  // namespace gomall::services
