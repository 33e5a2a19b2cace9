// Per-key (client IP) token bucket that slows down password guessing before bcrypt is even reached.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.hpp"
#include "ports/clock.hpp"

namespace gomall::services {

struct LoginRateLimitSettings {
    double rate_per_second = 10.0;   // sustained attempts per key
    double burst = 20.0;             // attempts a key may make at once
    std::size_t max_keys = 100'000;  // memory bound: least recently seen keys are forgotten first
};

/// Thread-safe. Memory stays bounded: buckets that have refilled completely carry no information and
/// are dropped, and beyond max_keys the least recently seen key is forgotten (which only ever favours
/// that key, never blocks an innocent one).
class LoginRateLimiter {
public:
    /// Throws std::invalid_argument unless rate > 0, burst >= 1 and max_keys >= 1.
    LoginRateLimiter(const ports::Clock& clock, LoginRateLimitSettings settings = {});

    /// Takes one token from the key's bucket; false when the bucket is empty.
    bool try_acquire(std::string_view key);

    /// Number of keys currently tracked.
    std::size_t tracked_keys() const;

private:
    struct Bucket {
        double tokens = 0;
        TimePoint updated;
        std::list<std::string>::iterator lru_position;
    };

    void evict_locked(TimePoint now);
    double refilled(const Bucket& bucket, TimePoint now) const;

    const ports::Clock& clock_;
    LoginRateLimitSettings settings_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    std::list<std::string> lru_;  // most recently used at the front
};

}  // namespace gomall::services
