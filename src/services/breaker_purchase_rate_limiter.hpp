// The flash sale's per-shopper pacing behind its store's circuit breaker: while the store (Redis)
// is failing, attempts are let through at once, as the port allows when the store is unreachable,
// instead of each one waiting for the store's timeout first.
#pragma once

#include "ports/purchase_rate_limiter.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::services {

/// A limiter that cannot reach its store lets the attempt through without saying so, so only a
/// refusal (the store answered "used up") is a verdict (a success); other calls give none.
/// `inner` and `breaker` must outlive this object.
class BreakerPurchaseRateLimiter final : public ports::PurchaseRateLimiter {
public:
    BreakerPurchaseRateLimiter(ports::PurchaseRateLimiter& inner, CircuitBreaker& breaker)
        : inner_(inner), breaker_(breaker) {}

    boost::asio::awaitable<bool> try_acquire(std::int64_t user_id) override;

private:
    ports::PurchaseRateLimiter& inner_;
    CircuitBreaker& breaker_;
};

}  // namespace gomall::services
