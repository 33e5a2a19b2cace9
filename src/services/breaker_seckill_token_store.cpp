// Both token calls through the breaker: refused at once (CircuitOpen) while it is open.
#include "services/breaker_seckill_token_store.hpp"

#include <utility>

namespace gomall::services {

boost::asio::awaitable<void> BreakerSeckillTokenStore::issue(
    std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
) {
    auto call = breaker_.call();
    try {
        co_await inner_.issue(activity_id, user_id, std::move(token), ttl, now);
        call.succeeded();
    } catch (const DependencyUnavailable&) {
        call.failed();
        throw;
    }
}

boost::asio::awaitable<bool> BreakerSeckillTokenStore::consume(
    std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
) {
    auto call = breaker_.call();
    try {
        const bool spent = co_await inner_.consume(activity_id, user_id, std::move(token), now);
        call.succeeded();
        co_return spent;
    } catch (const DependencyUnavailable&) {
        call.failed();
        throw;
    }
}

}  // namespace gomall::services
