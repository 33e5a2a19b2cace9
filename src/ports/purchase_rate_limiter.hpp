// Per-shopper pacing of flash-sale purchase attempts. Embedded mode counts in process memory; full
// stack counts in Redis, so a shopper spraying requests across instances is paced as one.
#pragma once

#include <cstdint>

#include <boost/asio/awaitable.hpp>

namespace gomall::ports {

class PurchaseRateLimiter {
public:
    virtual ~PurchaseRateLimiter() = default;

    /// Takes one attempt from the shopper's allowance; false when it is used up for now.
    /// Never blocks a thread. Implementations that cannot reach their store let the attempt through
    /// (the stock gate behind it still holds every limit that matters for correctness).
    virtual boost::asio::awaitable<bool> try_acquire(std::int64_t user_id) = 0;
};

}  // namespace gomall::ports
