// Counts the flash-sale limit's refusals whichever store paces the shoppers (memory or Redis).
#pragma once

#include <cstdint>

#include "ports/metrics.hpp"
#include "ports/purchase_rate_limiter.hpp"

namespace gomall::services {

class CountedPurchaseRateLimiter final : public ports::PurchaseRateLimiter {
public:
    /// Both must outlive this.
    CountedPurchaseRateLimiter(ports::PurchaseRateLimiter& inner, ports::Counter& refusals)
        : inner_(inner), refusals_(refusals) {}

    boost::asio::awaitable<bool> try_acquire(std::int64_t user_id) override {
        const bool allowed = co_await inner_.try_acquire(user_id);
        if (!allowed) {
            refusals_.inc();
        }
        co_return allowed;
    }

private:
    ports::PurchaseRateLimiter& inner_;
    ports::Counter& refusals_;
};

}  // namespace gomall::services
