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
    virtual std::vector<domain::Order> find(const std::vector<std::string>& order_nos) = 0;
    /// Up to `limit` waiting orders written before `written_before`, oldest first: those a relay
    /// could not hand over, or whose writer died before it did.
    virtual std::vector<domain::Order> oldest(TimePoint written_before, int limit) = 0;
    /// Deletes the rows of orders the order service has taken.
    virtual void remove(const std::vector<std::string>& order_nos) = 0;
    /// Rows waiting, for the metrics.
    virtual std::int64_t waiting() = 0;
};

}  // namespace gomall::ports
