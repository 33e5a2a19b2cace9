// The durable handoff between "the shopper was told queued" and "an order exists".
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "domain/seckill.hpp"

namespace gomall::ports {

class ReservationQueue {
public:
    virtual ~ReservationQueue() = default;

    /// Completes once the reservation cannot be lost: embedded mode, committed to the database
    /// (with its order, in a group commit shared by concurrent callers); full stack, confirmed by
    /// the broker. Throws std::exception when it could not be made durable; the caller then
    /// releases the unit and tells the shopper to retry. Must not block the calling thread.
    virtual boost::asio::awaitable<void> publish(domain::Reservation reservation) = 0;

    /// Called (from any thread) for every reservation whose fate is known: succeeded with an
    /// order number, or failed with a reason. Set once at wiring time, before the first publish.
    virtual void on_outcome(std::function<void(const domain::Reservation&)> listener) = 0;
};

}  // namespace gomall::ports
