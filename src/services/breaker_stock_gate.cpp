// reserve() and in_flight_of() through the breaker: refused at once (CircuitOpen) while it is open.
#include "services/breaker_stock_gate.hpp"

#include <utility>

namespace gomall::services {

boost::asio::awaitable<domain::ReserveResult> BreakerStockGate::reserve(
    std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
) {
    auto call = breaker_.call();
    try {
        domain::ReserveResult result = co_await inner_.reserve(activity_id, user_id, now, std::move(reservation_id));
        call.succeeded();
        co_return result;
    } catch (const DependencyUnavailable&) {
        call.failed();
        throw;
    }
}

boost::asio::awaitable<std::vector<ports::InFlightReservation>> BreakerStockGate::in_flight_of(
    std::int64_t activity_id, std::int64_t user_id
) {
    auto call = breaker_.call();
    try {
        auto found = co_await inner_.in_flight_of(activity_id, user_id);
        call.succeeded();
        co_return found;
    } catch (const DependencyUnavailable&) {
        call.failed();
        throw;
    }
}

}  // namespace gomall::services
