// The flash sale's anti-bot token store behind a circuit breaker: while its store (Redis) does not
// answer, issuing and spending tokens are refused at once with "busy" instead of waiting for it.
#pragma once

#include "ports/seckill_token_store.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::services {

/// A DependencyUnavailable from the store is a failure; any answer (a token right or wrong) a
/// success. `inner` and `breaker` must outlive this object.
class BreakerSeckillTokenStore final : public ports::SeckillTokenStore {
public:
    BreakerSeckillTokenStore(ports::SeckillTokenStore& inner, CircuitBreaker& breaker)
        : inner_(inner), breaker_(breaker) {}

    boost::asio::awaitable<void> issue(
        std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
    ) override;
    boost::asio::awaitable<bool> consume(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    ) override;

private:
    ports::SeckillTokenStore& inner_;
    CircuitBreaker& breaker_;
};

}  // namespace gomall::services
