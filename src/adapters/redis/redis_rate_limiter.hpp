// The full-stack purchase limiter: one token bucket per shopper in Redis, shared by all instances.
#pragma once

#include <string>

#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_script.hpp"
#include "ports/clock.hpp"
#include "ports/purchase_rate_limiter.hpp"

namespace gomall::adapters::redis {

class RedisPurchaseRateLimiter final : public ports::PurchaseRateLimiter {
public:
    /// `rate_per_second` sustained attempts, `burst` at once. Throws std::invalid_argument unless
    /// rate > 0 and burst >= 1.
    RedisPurchaseRateLimiter(
        RedisClient& client, const ports::Clock& clock, std::string key_prefix, double rate_per_second, double burst
    );

    /// Lets the attempt through when Redis cannot be asked: the gate call that follows would fail
    /// the same way and answer "busy", and pacing is not a correctness guarantee.
    boost::asio::awaitable<bool> try_acquire(std::int64_t user_id) override;

private:
    RedisClient& client_;
    const ports::Clock& clock_;
    const std::string key_prefix_;
    const std::string rate_;
    const std::string burst_;
    const RedisScript script_;
};

}  // namespace gomall::adapters::redis
