// The generic cell rate algorithm on one atomic: admit when pushing the full-again time one
// interval further keeps it within one burst of now.
#include "services/global_rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace gomall::services {

GlobalRateLimiter::GlobalRateLimiter(const ports::Clock& clock, RateLimitSettings settings, ports::Counter* refusals)
    : clock_(clock), interval_ns_(0), capacity_ns_(0), refusals_(refusals) {
    if (!(settings.rate_per_second > 0) || !(settings.burst >= 1)) {
        throw std::invalid_argument("rate limit needs rate > 0 and burst >= 1");
    }
    interval_ns_ = std::max<std::int64_t>(1, std::llround(1e9 / settings.rate_per_second));
    capacity_ns_ = std::llround(settings.burst * static_cast<double>(interval_ns_));
}

std::int64_t GlobalRateLimiter::nanos(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

RateDecision GlobalRateLimiter::try_acquire() {
    const std::int64_t now = nanos(clock_.now());
    std::int64_t full_at = full_at_ns_.load(std::memory_order_relaxed);
    for (;;) {
        const std::int64_t next = std::max(full_at, now) + interval_ns_;
        if (next - now <= capacity_ns_) {
            if (full_at_ns_.compare_exchange_weak(full_at, next, std::memory_order_relaxed)) {
                return {};
            }
            continue;  // another thread took a token first; `full_at` now holds its value
        }
        if (full_at - now > capacity_ns_) {
            // Only a wall clock stepping backwards puts the full-again time more than a burst ahead.
            // Pull it back to "empty now", so the step costs one interval of refusals, not its length.
            full_at_ns_.compare_exchange_strong(full_at, now + capacity_ns_, std::memory_order_relaxed);
        }
        if (refusals_ != nullptr) {
            refusals_->inc();
        }
        // Never more than one interval (after a clock step the pulled-back time applies), at least 1 ms.
        const std::int64_t wait_ns =
            std::max<std::int64_t>(1'000'000, std::min(next - now - capacity_ns_, interval_ns_));
        return RateDecision{false, std::chrono::ceil<std::chrono::milliseconds>(std::chrono::nanoseconds(wait_ns))};
    }
}

}  // namespace gomall::services
