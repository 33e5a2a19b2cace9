// A circuit breaker in front of one outgoing dependency (the payment gateway, Redis, RabbitMQ, a
// trace collector): after enough failures in a row it refuses calls at once for a while, instead of
// letting every request wait for the dependency's timeout, then lets a few trial calls through.
//
//   closed    calls go through; `failure_threshold` failures in a row (no success between) open it.
//   open      every call is refused at once (CircuitOpen, a DependencyUnavailable that knows how
//             long until probing starts) for `open_duration`; then it turns half-open.
//   half-open up to `half_open_probes` trial calls go through, the rest are refused; when that many
//             have succeeded it closes, and the first failure opens it again.
//
// Use, around one call:
//
//     auto call = breaker.call();              // throws CircuitOpen when refused
//     auto answer = dependency.do_something();  // ...
//     answered ? call.succeeded() : call.failed();
//
// A Call dropped without a verdict (an exception that says nothing about the dependency) counts as
// neither; a trial call dropped that way frees its slot for the next one. Verdicts of calls let
// through before the latest state change are ignored: a timeout that started while the breaker was
// closed says nothing about the probes after it.
//
// Thread-safe. While closed, letting a call through and recording a success are a few atomic loads
// (no lock, no write unless failures were being counted); failures and every state change take a
// small mutex. The state is published as gomall_circuit_breaker_state{breaker} (0 closed,
// 1 half-open, 2 open), changes as gomall_circuit_breaker_transitions_total{breaker,to} and refused
// calls as gomall_circuit_breaker_rejected_total{breaker}.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "core/unavailable.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"

namespace gomall::services {

enum class BreakerState { kClosed = 0, kHalfOpen = 1, kOpen = 2 };

/// "closed", "half_open", "open": the words of /ready and the metrics' `to` label.
std::string_view breaker_state_name(BreakerState state);

struct BreakerSettings {
    int failure_threshold = 5;                        // failures in a row that open a closed breaker
    std::chrono::milliseconds open_duration{10'000};  // refusing before trial calls are let through
    int half_open_probes = 1;                         // trial calls; all must succeed to close
};

/// A call refused by an open breaker: answered 503 with Retry-After like any unreachable dependency.
class CircuitOpen : public DependencyUnavailable {
public:
    using DependencyUnavailable::DependencyUnavailable;
};

class CircuitBreaker {
public:
    /// Permission for one call; report how it went with succeeded() or failed(). Move-only.
    class Call {
    public:
        Call(Call&& other) noexcept;
        Call& operator=(Call&&) = delete;
        Call(const Call&) = delete;
        Call& operator=(const Call&) = delete;
        ~Call();

        /// The dependency answered (even with an error of its own: it is reachable).
        void succeeded();
        /// The dependency did not answer: unreachable, timed out, or an answer that cannot be trusted.
        void failed();

    private:
        friend class CircuitBreaker;
        Call(CircuitBreaker* breaker, std::uint64_t generation, bool probe)
            : breaker_(breaker), generation_(generation), probe_(probe) {}
        CircuitBreaker* breaker_;  // null once the verdict is given or moved away
        std::uint64_t generation_;
        bool probe_;
    };

    /// Throws std::invalid_argument for a threshold or probe count below 1 or a duration below 1 ms.
    /// `name` labels the metrics and the /ready entry ("payment", "redis").
    CircuitBreaker(std::string name, BreakerSettings settings, const ports::Clock& clock, ports::Metrics& metrics);
    CircuitBreaker(const CircuitBreaker&) = delete;
    CircuitBreaker& operator=(const CircuitBreaker&) = delete;
    ~CircuitBreaker() = default;

    /// A permit, or nullopt when the breaker refuses the call (counted as rejected).
    std::optional<Call> try_call();
    /// A permit; throws CircuitOpen (retry_after set) when the breaker refuses the call.
    Call call();

    /// The state now; an open breaker whose time is up turns half-open here, so /ready and the
    /// metrics show "half-open" rather than "open" once trial calls would be let through.
    BreakerState state();
    /// When a call made now would be refused, how long until one may go through (at least 1 s,
    /// rounded up: it is an HTTP Retry-After); nullopt when it would be let through.
    std::optional<std::chrono::seconds> refusing();
    /// refusing(), for a caller that asks before starting work it would throw away if the call were
    /// refused: a refusal is counted as a rejected call, as if it had been made.
    std::optional<std::chrono::seconds> refuse_early();

    const std::string& name() const { return name_; }
    const BreakerSettings& settings() const { return settings_; }

private:
    static constexpr std::uint64_t kStateBits = 2;
    static constexpr std::uint64_t kStateMask = (1U << kStateBits) - 1;

    static BreakerState state_of(std::uint64_t word) { return static_cast<BreakerState>(word & kStateMask); }
    static std::uint64_t generation_of(std::uint64_t word) { return word >> kStateBits; }

    void on_success(std::uint64_t generation, bool probe);
    void on_failure(std::uint64_t generation, bool probe);
    void on_abandoned(std::uint64_t generation, bool probe);

    // Under mutex_. Moves to `to` with a new generation.
    void move_to(BreakerState to, TimePoint now);
    // Under mutex_: open -> half-open when the open time is over.
    void half_open_if_due(TimePoint now);
    std::chrono::seconds seconds_until_probing(TimePoint now) const;

    const std::string name_;
    const BreakerSettings settings_;
    const ports::Clock& clock_;

    // generation << 2 | state: a verdict applies only to the generation its call was admitted in.
    std::atomic<std::uint64_t> word_{static_cast<std::uint64_t>(BreakerState::kClosed)};
    std::atomic<int> failures_{0};               // consecutive failures while closed
    std::atomic<TimePoint::rep> open_until_{0};  // while open: when trial calls begin
    std::mutex mutex_;                           // every change of state; the probe counts
    int probes_out_ = 0;                         // half-open: trial calls let through, no verdict yet
    int probes_passed_ = 0;                      // half-open: trial calls that succeeded

    ports::Gauge& state_gauge_;
    ports::Counter& to_closed_;
    ports::Counter& to_half_open_;
    ports::Counter& to_open_;
    ports::Counter& rejected_;
};

}  // namespace gomall::services
