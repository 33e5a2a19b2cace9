// The flash sale's stock gate behind a circuit breaker: while its store (Redis) does not answer, a
// purchase is refused at once with "busy, try again" instead of waiting for the command timeout.
#pragma once

#include <utility>
#include <vector>

#include "ports/stock_gate.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::services {

/// Only reserve() (the shopper's wait) and in_flight_of() (a result poll) go through the breaker (a
/// DependencyUnavailable is a failure; any answer a success). release() and settle() return units and must be tried
/// whatever the breaker says; load(), remove() and available() are admin or local calls. They pass through. `inner` and
/// `breaker` must outlive this object.
class BreakerStockGate final : public ports::StockGate {
public:
    BreakerStockGate(ports::StockGate& inner, CircuitBreaker& breaker) : inner_(inner), breaker_(breaker) {}

    void load(
        const domain::SeckillActivity& activity,
        std::int64_t available,
        const std::vector<ports::ShopperTally>& shoppers
    ) override {
        inner_.load(activity, available, shoppers);
    }
    void remove(std::int64_t activity_id) override { inner_.remove(activity_id); }

    boost::asio::awaitable<domain::ReserveResult> reserve(
        std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
    ) override;

    boost::asio::awaitable<void> release(std::int64_t activity_id, std::int64_t user_id) override {
        return inner_.release(activity_id, user_id);
    }
    boost::asio::awaitable<void> settle(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned)
        override {
        return inner_.settle(activity_id, user_id, seq, returned);
    }
    boost::asio::awaitable<void> settle_ordered(
        std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
    ) override {
        return inner_.settle_ordered(activity_id, std::move(ordered));
    }
    /// Through the breaker too: a result poll while Redis is down answers from the database at once.
    boost::asio::awaitable<std::vector<ports::InFlightReservation>> in_flight_of(
        std::int64_t activity_id, std::int64_t user_id
    ) override;
    bool tracks_in_flight() const override { return inner_.tracks_in_flight(); }
    std::optional<std::int64_t> available(std::int64_t activity_id) const override {
        return inner_.available(activity_id);
    }

private:
    ports::StockGate& inner_;
    CircuitBreaker& breaker_;
};

}  // namespace gomall::services
