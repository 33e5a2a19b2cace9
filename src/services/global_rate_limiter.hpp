// One token bucket for the whole instance (the global request limit), lock-free: every request on
// every I/O thread passes it, so it must cost a compare-and-swap, not a lock.
#pragma once

#include <atomic>
#include <cstdint>

#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "services/keyed_rate_limiter.hpp"

namespace gomall::services {

/// Thread-safe and lock-free. A token bucket of `burst` tokens refilled at `rate_per_second`, kept as
/// the generic cell rate algorithm: one number, the time at which the bucket would be full again.
class GlobalRateLimiter {
public:
    /// Throws std::invalid_argument unless rate > 0 and burst >= 1 (max_keys is not used). `refusals`,
    /// when given, is incremented for every refused request (it must outlive the limiter).
    GlobalRateLimiter(const ports::Clock& clock, RateLimitSettings settings, ports::Counter* refusals = nullptr);

    RateDecision try_acquire();

private:
    static std::int64_t nanos(TimePoint t);

    const ports::Clock& clock_;
    std::int64_t interval_ns_;  // time one token takes to come back
    std::int64_t capacity_ns_;  // burst * interval: how far ahead of now the full-again time may run
    ports::Counter* refusals_;
    // When the bucket will be full again, in nanoseconds of the clock's epoch. Each admitted request
    // pushes it one interval further; it never runs more than capacity_ns_ ahead of now.
    std::atomic<std::int64_t> full_at_ns_{0};
};

}  // namespace gomall::services
