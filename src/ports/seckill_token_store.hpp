// Where the flash sale's anti-bot tokens live between POST /api/seckill/token and the purchase that
// spends them. Embedded mode keeps them in process memory; full stack keeps them in Redis, so a token
// fetched from one instance can be spent on another.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/time.hpp"

namespace gomall::ports {

/// Implementations are thread-safe and never block a thread. Both calls throw (std::exception) when
/// the store cannot be reached; the service answers "busy, try again" then.
class SeckillTokenStore {
public:
    virtual ~SeckillTokenStore() = default;

    /// Remembers `token` as the shopper's one token for the activity, valid from `now` for `ttl`.
    /// Replaces any token the shopper was issued earlier for the same activity.
    virtual boost::asio::awaitable<void> issue(
        std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
    ) = 0;

    /// Spends the token: true when it is the shopper's current token for the activity and has not
    /// expired at `now`, and then never again. False for an unknown, wrong, expired or spent token.
    virtual boost::asio::awaitable<bool> consume(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    ) = 0;
};

}  // namespace gomall::ports
