// In-process pacing: answers at once from the bucket table.
#include "services/local_purchase_rate_limiter.hpp"

#include <string>

namespace gomall::services {

boost::asio::awaitable<bool> LocalPurchaseRateLimiter::try_acquire(std::int64_t user_id) {
    co_return buckets_.try_acquire("seckill:" + std::to_string(user_id)).allowed;
}

}  // namespace gomall::services
