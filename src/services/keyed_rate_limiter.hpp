// A token bucket per key (client address, shopper) with bounded memory: the one limiter behind the
// login, API and embedded flash-sale limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"

namespace gomall::services {

struct RateLimitSettings {
    double rate_per_second = 10.0;   // sustained requests per key
    double burst = 20.0;             // requests a key may make at once
    std::size_t max_keys = 100'000;  // memory bound: least recently seen keys are forgotten first
};

/// What a limiter decided about one request. Converts to true when it may go ahead.
struct RateDecision {
    bool allowed = true;
    std::chrono::milliseconds retry_after{0};  // when refused: until the next token, at least 1 ms

    explicit operator bool() const { return allowed; }
    /// retry_after in whole seconds, rounded up, at least 1: the HTTP Retry-After value.
    long long retry_after_seconds() const;
};

/// Thread-safe. Memory stays bounded: buckets that have refilled completely carry no information and
/// are dropped, and beyond max_keys the least recently seen key is forgotten (which only ever favours
/// that key, never blocks an innocent one). Keys longer than kMaxKeyBytes are cut, so a key costs at
/// most a few hundred bytes whatever the caller passes.
class KeyedRateLimiter {
public:
    static constexpr std::size_t kMaxKeyBytes = 64;

    /// Throws std::invalid_argument unless rate > 0, burst >= 1 and max_keys >= 1. `refusals`, when
    /// given, is incremented for every refused request (it must outlive the limiter).
    KeyedRateLimiter(const ports::Clock& clock, RateLimitSettings settings, ports::Counter* refusals = nullptr);

    /// Takes one token from the key's bucket; refused when the bucket is empty.
    RateDecision try_acquire(std::string_view key);

    /// Number of keys currently tracked.
    std::size_t tracked_keys() const;

    const RateLimitSettings& settings() const { return settings_; }

private:
    struct Bucket {
        double tokens = 0;
        TimePoint updated;
        std::list<const std::string*>::iterator lru_position;
    };

    void evict_locked(TimePoint now);
    double refilled(const Bucket& bucket, TimePoint now) const;

    const ports::Clock& clock_;
    RateLimitSettings settings_;
    ports::Counter* refusals_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    // Most recently used at the front. Points at the map's keys, which stay put while they exist
    // (unordered_map nodes never move), so each key is stored once.
    std::list<const std::string*> lru_;
};

}  // namespace gomall::services
