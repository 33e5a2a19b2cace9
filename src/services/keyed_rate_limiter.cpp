// Token buckets kept in an LRU list so that eviction of idle keys is O(1) per call.
#include "services/keyed_rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace gomall::services {

long long RateDecision::retry_after_seconds() const {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(retry_after).count();
    return std::max<long long>(1, seconds);
}

KeyedRateLimiter::KeyedRateLimiter(const ports::Clock& clock, RateLimitSettings settings, ports::Counter* refusals)
    : clock_(clock), settings_(settings), refusals_(refusals) {
    if (!(settings_.rate_per_second > 0) || !(settings_.burst >= 1) || settings_.max_keys == 0) {
        throw std::invalid_argument("rate limit needs rate > 0, burst >= 1 and max_keys >= 1");
    }
}

double KeyedRateLimiter::refilled(const Bucket& bucket, TimePoint now) const {
    // The wall clock may step backwards; treat that as no time passing rather than draining the bucket.
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
    return std::min(settings_.burst, bucket.tokens + elapsed * settings_.rate_per_second);
}

RateDecision KeyedRateLimiter::try_acquire(std::string_view key) {
    key = key.substr(0, kMaxKeyBytes);
    const TimePoint now = clock_.now();
    double missing = 0;
    {
        std::lock_guard lock(mutex_);
        evict_locked(now);

        auto it = buckets_.find(std::string(key));
        if (it == buckets_.end()) {
            if (buckets_.size() >= settings_.max_keys) {
                // By iterator: erasing by a key that lives in the node being erased is not safe.
                const auto oldest = buckets_.find(*lru_.back());
                lru_.pop_back();
                buckets_.erase(oldest);
            }
            it = buckets_.emplace(std::string(key), Bucket{settings_.burst, now, {}}).first;
            lru_.push_front(&it->first);
            it->second.lru_position = lru_.begin();
        } else {
            it->second.tokens = refilled(it->second, now);
            it->second.updated = now;
            lru_.splice(lru_.begin(), lru_, it->second.lru_position);
        }

        Bucket& bucket = it->second;
        if (bucket.tokens >= 1.0) {
            bucket.tokens -= 1.0;
            return {};
        }
        missing = 1.0 - bucket.tokens;
    }
    if (refusals_ != nullptr) {
        refusals_->inc();
    }
    const double wait_ms = std::ceil(missing / settings_.rate_per_second * 1000.0);
    return RateDecision{false, std::chrono::milliseconds(std::max(1LL, static_cast<long long>(wait_ms)))};
}

std::size_t KeyedRateLimiter::tracked_keys() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

void KeyedRateLimiter::evict_locked(TimePoint now) {
    // The tail is the least recently touched key; once it has refilled it is indistinguishable from a
    // key never seen, so forgetting it is free. Stop at the first one still carrying debt.
    while (!lru_.empty()) {
        const auto it = buckets_.find(*lru_.back());
        if (refilled(it->second, now) < settings_.burst) {
            break;
        }
        lru_.pop_back();
        buckets_.erase(it);
    }
}

}  // namespace gomall::services
