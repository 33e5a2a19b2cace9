// Pacing through the breaker: skipped (the attempt let through) while it refuses calls.
#include "services/breaker_purchase_rate_limiter.hpp"

namespace gomall::services {

boost::asio::awaitable<bool> BreakerPurchaseRateLimiter::try_acquire(std::int64_t user_id) {
    auto call = breaker_.try_call();
    if (!call) {
        co_return true;  // the stock gate behind it still holds every limit that matters
    }
    const bool allowed = co_await inner_.try_acquire(user_id);
    if (!allowed) {
        call->succeeded();
    }
    co_return allowed;
}

}  // namespace gomall::services
