// Token buckets kept in an LRU list so that eviction of idle keys is O(1) per call.
#include "services/login_rate_limiter.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace gomall::services {

LoginRateLimiter::LoginRateLimiter(const ports::Clock& clock, LoginRateLimitSettings settings)
    : clock_(clock), settings_(settings) {
    if (!(settings_.rate_per_second > 0) || !(settings_.burst >= 1) || settings_.max_keys == 0) {
        throw std::invalid_argument("login rate limit needs rate > 0, burst >= 1 and max_keys >= 1");
    }
}

double LoginRateLimiter::refilled(const Bucket& bucket, TimePoint now) const {
    // The wall clock may step backwards; treat that as no time passing rather than draining the bucket.
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
    return std::min(settings_.burst, bucket.tokens + elapsed * settings_.rate_per_second);
}

bool LoginRateLimiter::try_acquire(std::string_view key) {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    evict_locked(now);

    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end()) {
        if (buckets_.size() >= settings_.max_keys) {
            buckets_.erase(lru_.back());
            lru_.pop_back();
        }
        lru_.emplace_front(key);
        it = buckets_.emplace(lru_.front(), Bucket{settings_.burst, now, lru_.begin()}).first;
    } else {
        it->second.tokens = refilled(it->second, now);
        it->second.updated = now;
        lru_.splice(lru_.begin(), lru_, it->second.lru_position);
    }

    Bucket& bucket = it->second;
    if (bucket.tokens < 1.0) {
        return false;
    }
    bucket.tokens -= 1.0;
    return true;
}

std::size_t LoginRateLimiter::tracked_keys() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
}

void LoginRateLimiter::evict_locked(TimePoint now) {
    // The tail is the least recently touched key; once it has refilled it is indistinguishable from a
    // key never seen, so forgetting it is free. Stop at the first one still carrying debt.
    while (!lru_.empty()) {
        const auto it = buckets_.find(lru_.back());
        if (refilled(it->second, now) < settings_.burst) {
            break;
        }
        buckets_.erase(it);
        lru_.pop_back();
    }
}

}  // namespace gomall::services
