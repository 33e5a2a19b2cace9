// The circuit breaker's state machine: lock-free while closed, a small mutex for everything else.
#include "services/circuit_breaker.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {
namespace {

ports::Counter& transitions_to(ports::Metrics& metrics, const std::string& name, BreakerState to) {
    return metrics
        .counter(
            "gomall_circuit_breaker_transitions_total",
            "Circuit breaker state changes, by the state entered.",
            {"breaker", "to"}
        )
        .with({name, std::string(breaker_state_name(to))});
}

BreakerSettings checked(BreakerSettings s) {
    if (s.failure_threshold < 1 || s.half_open_probes < 1 || s.open_duration < std::chrono::milliseconds(1)) {
        throw std::invalid_argument(
            "circuit breaker: failure_threshold and half_open_probes must be at least 1, open_duration at least 1 ms"
        );
    }
    return s;
}

}  // namespace

std::string_view breaker_state_name(BreakerState state) {
    switch (state) {
        case BreakerState::kClosed:
            return "closed";
        case BreakerState::kHalfOpen:
            return "half_open";
        case BreakerState::kOpen:
            return "open";
    }
    return "closed";
}

// ------------------------------------------------------------------------------------------ Call

CircuitBreaker::Call::Call(Call&& other) noexcept
    : breaker_(std::exchange(other.breaker_, nullptr)), generation_(other.generation_), probe_(other.probe_) {}

CircuitBreaker::Call::~Call() {
    if (auto* breaker = std::exchange(breaker_, nullptr)) {
        breaker->on_abandoned(generation_, probe_);
    }
}

void CircuitBreaker::Call::succeeded() {
    if (auto* breaker = std::exchange(breaker_, nullptr)) {
        breaker->on_success(generation_, probe_);
    }
}

void CircuitBreaker::Call::failed() {
    if (auto* breaker = std::exchange(breaker_, nullptr)) {
        breaker->on_failure(generation_, probe_);
    }
}

// ------------------------------------------------------------------------------------------ breaker

CircuitBreaker::CircuitBreaker(
    std::string name, BreakerSettings settings, const ports::Clock& clock, ports::Metrics& metrics
)
    : name_(std::move(name)),
      settings_(checked(settings)),
      clock_(clock),
      state_gauge_(metrics
                       .gauge(
                           "gomall_circuit_breaker_state",
                           "Circuit breaker state: 0 closed, 1 half-open (trial calls), 2 open (calls refused).",
                           {"breaker"}
                       )
                       .with({name_})),
      to_closed_(transitions_to(metrics, name_, BreakerState::kClosed)),
      to_half_open_(transitions_to(metrics, name_, BreakerState::kHalfOpen)),
      to_open_(transitions_to(metrics, name_, BreakerState::kOpen)),
      rejected_(metrics
                    .counter(
                        "gomall_circuit_breaker_rejected_total",
                        "Calls refused at once by an open (or fully probing) circuit breaker.",
                        {"breaker"}
                    )
                    .with({name_})) {
    state_gauge_.set(0);
}

std::optional<CircuitBreaker::Call> CircuitBreaker::try_call() {
    std::uint64_t word = word_.load(std::memory_order_acquire);
    if (state_of(word) == BreakerState::kClosed) {
        return Call(this, generation_of(word), false);
    }
    const TimePoint now = clock_.now();
    if (state_of(word) == BreakerState::kOpen && now.time_since_epoch().count() < open_until_.load()) {
        rejected_.inc();
        return std::nullopt;  // the common case of an outage: no lock
    }
    const std::lock_guard lock(mutex_);
    half_open_if_due(now);
    word = word_.load(std::memory_order_relaxed);
    switch (state_of(word)) {
        case BreakerState::kClosed:
            return Call(this, generation_of(word), false);
        case BreakerState::kHalfOpen:
            if (probes_out_ + probes_passed_ < settings_.half_open_probes) {
                ++probes_out_;
                return Call(this, generation_of(word), true);
            }
            break;
        case BreakerState::kOpen:
            break;
    }
    rejected_.inc();
    return std::nullopt;
}

CircuitBreaker::Call CircuitBreaker::call() {
    if (auto permit = try_call()) {
        return std::move(*permit);
    }
    const auto wait = refusing().value_or(std::chrono::seconds(1));
    throw CircuitOpen("circuit breaker '" + name_ + "' is open", wait);
}

BreakerState CircuitBreaker::state() {
    const std::uint64_t word = word_.load(std::memory_order_acquire);
    if (state_of(word) != BreakerState::kOpen) {
        return state_of(word);
    }
    const TimePoint now = clock_.now();
    if (now.time_since_epoch().count() < open_until_.load()) {
        return BreakerState::kOpen;
    }
    const std::lock_guard lock(mutex_);
    half_open_if_due(now);
    return state_of(word_.load(std::memory_order_relaxed));
}

std::optional<std::chrono::seconds> CircuitBreaker::refusing() {
    const BreakerState now_state = state();
    if (now_state == BreakerState::kClosed) {
        return std::nullopt;
    }
    const std::lock_guard lock(mutex_);
    const std::uint64_t word = word_.load(std::memory_order_relaxed);
    switch (state_of(word)) {
        case BreakerState::kClosed:
            return std::nullopt;
        case BreakerState::kHalfOpen:
            if (probes_out_ + probes_passed_ < settings_.half_open_probes) {
                return std::nullopt;
            }
            return std::chrono::seconds(1);  // the trial calls' verdict is near
        case BreakerState::kOpen:
            return seconds_until_probing(clock_.now());
    }
    return std::nullopt;
}

std::optional<std::chrono::seconds> CircuitBreaker::refuse_early() {
    auto wait = refusing();
    if (wait) {
        rejected_.inc();
    }
    return wait;
}

void CircuitBreaker::on_success(std::uint64_t generation, bool probe) {
    const std::uint64_t word = word_.load(std::memory_order_acquire);
    if (generation_of(word) != generation) {
        return;  // admitted before the last change of state: says nothing about now
    }
    if (!probe) {
        // Closed: a success ends a run of failures. Written only when there is a run, so the hot
        // path of a healthy dependency does not bounce the cache line between threads.
        if (failures_.load(std::memory_order_relaxed) != 0) {
            failures_.store(0, std::memory_order_relaxed);
        }
        return;
    }
    const std::lock_guard lock(mutex_);
    if (word_.load(std::memory_order_relaxed) != word) {
        return;
    }
    --probes_out_;
    ++probes_passed_;
    if (probes_passed_ >= settings_.half_open_probes) {
        move_to(BreakerState::kClosed, clock_.now());
    }
}

void CircuitBreaker::on_failure(std::uint64_t generation, bool probe) {
    const std::uint64_t word = word_.load(std::memory_order_acquire);
    if (generation_of(word) != generation) {
        return;
    }
    if (!probe && failures_.fetch_add(1, std::memory_order_relaxed) + 1 < settings_.failure_threshold) {
        return;
    }
    const std::lock_guard lock(mutex_);
    if (word_.load(std::memory_order_relaxed) != word) {
        return;  // another thread opened it first
    }
    move_to(BreakerState::kOpen, clock_.now());
}

void CircuitBreaker::on_abandoned(std::uint64_t generation, bool probe) {
    if (!probe) {
        return;
    }
    const std::lock_guard lock(mutex_);
    if (generation_of(word_.load(std::memory_order_relaxed)) == generation) {
        --probes_out_;  // the slot goes to the next caller
    }
}

void CircuitBreaker::move_to(BreakerState to, TimePoint now) {
    const std::uint64_t from = word_.load(std::memory_order_relaxed);
    const std::uint64_t generation = generation_of(from) + 1;
    probes_out_ = 0;
    probes_passed_ = 0;
    failures_.store(0, std::memory_order_relaxed);
    if (to == BreakerState::kOpen) {
        open_until_.store((now + settings_.open_duration).time_since_epoch().count());
    }
    word_.store(generation << kStateBits | static_cast<std::uint64_t>(to), std::memory_order_release);
    state_gauge_.set(static_cast<double>(static_cast<int>(to)));
    switch (to) {
        case BreakerState::kClosed:
            to_closed_.inc();
            spdlog::info("circuit breaker {}: closed, calls go through again", name_);
            break;
        case BreakerState::kHalfOpen:
            to_half_open_.inc();
            spdlog::info(
                "circuit breaker {}: half-open, letting {} trial call(s) through", name_, settings_.half_open_probes
            );
            break;
        case BreakerState::kOpen:
            to_open_.inc();
            spdlog::warn(
                "circuit breaker {}: open after {}, refusing calls for {} ms",
                name_,
                state_of(from) == BreakerState::kHalfOpen ? std::string("a failed trial call")
                                                          : std::to_string(settings_.failure_threshold) + " failures",
                settings_.open_duration.count()
            );
            break;
    }
}

void CircuitBreaker::half_open_if_due(TimePoint now) {
    if (state_of(word_.load(std::memory_order_relaxed)) == BreakerState::kOpen &&
        now.time_since_epoch().count() >= open_until_.load()) {
        move_to(BreakerState::kHalfOpen, now);
    }
}

std::chrono::seconds CircuitBreaker::seconds_until_probing(TimePoint now) const {
    const auto left = TimePoint(TimePoint::duration(open_until_.load())) - now;
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(left);
    return std::max(seconds, std::chrono::seconds(1));
}

}  // namespace gomall::services
