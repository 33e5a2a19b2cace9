// The seckill side's outbox of flash-sale orders (services mode): rows the order writer adds in the
// transaction that takes each unit, read and deleted by the relay that hands them to the order
// service (services::FlashSaleOrderRelay).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "domain/order.hpp"

namespace gomall::ports {

class FlashSaleOrderOutbox {
public:
    virtual ~FlashSaleOrderOutbox() = default;

    /// The waiting orders among `order_nos` (the ones a batch just wrote), in the given order.
    /// Rows set aside are not waiting.
    virtual std::vector<domain::Order> find(const std::vector<std::string>& order_nos) = 0;
    /// Up to `limit` waiting orders written before `written_before`, oldest first: those a relay
    /// could not hand over, or whose writer died before it did.
    virtual std::vector<domain::Order> oldest(TimePoint written_before, int limit) = 0;
    /// Deletes the rows of orders the order service has taken.
    virtual void remove(const std::vector<std::string>& order_nos) = 0;
    /// Sets a row aside: the order service refused the order itself, not the call, so it would
    /// refuse it again, and as the oldest row it would stop every sweep behind it. The row stays
    /// (the unit stays sold, the shopper's result "queued") until an operator clears the mark
    /// (docs/operations.md); relays no longer send it.
    virtual void set_aside(const std::string& order_no, const std::string& reason, TimePoint now) = 0;
    /// Rows waiting (not set aside).
    virtual std::int64_t waiting() = 0;
    /// Rows set aside.
    virtual std::int64_t set_aside_count() = 0;
};

}  // namespace gomall::ports
