// The full-stack anti-bot token store: each shopper's current token per activity in Redis, shared by
// every instance, so a token fetched from one instance can be spent on another.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_script.hpp"
#include "ports/seckill_token_store.hpp"

namespace gomall::adapters::redis {

/// Both calls throw RedisUnavailable on an outage (the service answers 503 "busy"), and
/// std::runtime_error when Redis answers with an error.
class RedisSeckillTokenStore final : public ports::SeckillTokenStore {
public:
    RedisSeckillTokenStore(RedisClient& client, std::string key_prefix);

    /// One SET with PX: Redis forgets the token by itself once it has expired.
    boost::asio::awaitable<void> issue(
        std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
    ) override;
    /// One script that compares and deletes, so two instances cannot both spend the same token.
    boost::asio::awaitable<bool> consume(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    ) override;

    /// The key holding the shopper's token for the activity.
    std::string key_of(std::int64_t activity_id, std::int64_t user_id) const;

private:
    RedisClient& client_;
    const std::string key_prefix_;
    const RedisScript consume_script_;
};

}  // namespace gomall::adapters::redis
