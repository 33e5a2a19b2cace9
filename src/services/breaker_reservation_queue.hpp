// The flash sale's durable handoff behind a circuit breaker: while the broker (RabbitMQ) does not
// confirm, a purchase fails at once (its unit goes back, "busy, try again") instead of each one
// waiting for the confirm timeout.
#pragma once

#include <functional>
#include <utility>

#include "ports/reservation_queue.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::services {

/// Any exception from publish() is a failure (the port throws only when the reservation could not
/// be made durable); a confirmed publish a success. `inner` and `breaker` must outlive this object.
class BreakerReservationQueue final : public ports::ReservationQueue {
public:
    BreakerReservationQueue(ports::ReservationQueue& inner, CircuitBreaker& breaker)
        : inner_(inner), breaker_(breaker) {}

    boost::asio::awaitable<void> publish(domain::Reservation reservation) override;
    void on_outcome(std::function<void(const domain::Reservation&)> listener) override {
        inner_.on_outcome(std::move(listener));
    }

private:
    ports::ReservationQueue& inner_;
    CircuitBreaker& breaker_;
};

}  // namespace gomall::services
