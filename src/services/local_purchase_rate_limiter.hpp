// The embedded-mode purchase limiter: a token bucket per shopper in this process's memory.
#pragma once

#include "ports/clock.hpp"
#include "ports/purchase_rate_limiter.hpp"
#include "services/keyed_rate_limiter.hpp"

namespace gomall::services {

class LocalPurchaseRateLimiter final : public ports::PurchaseRateLimiter {
public:
    LocalPurchaseRateLimiter(const ports::Clock& clock, RateLimitSettings settings) : buckets_(clock, settings) {}

    boost::asio::awaitable<bool> try_acquire(std::int64_t user_id) override;

private:
    KeyedRateLimiter buckets_;  // the same bounded bucket table that paces logins, keyed by shopper
};

}  // namespace gomall::services
