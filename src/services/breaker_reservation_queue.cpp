// publish() through the breaker: refused at once (CircuitOpen) while it is open.
#include "services/breaker_reservation_queue.hpp"

#include <exception>
#include <utility>

namespace gomall::services {

boost::asio::awaitable<void> BreakerReservationQueue::publish(domain::Reservation reservation) {
    auto call = breaker_.call();
    try {
        co_await inner_.publish(std::move(reservation));
        call.succeeded();
    } catch (const std::exception&) {
        call.failed();
        throw;
    }
}

}  // namespace gomall::services
