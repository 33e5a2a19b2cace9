// Decorators that time the flash sale's two outgoing hops without the adapters behind them
// knowing: the stock gate (a Redis script per call on the full stack, a mutex in embedded mode)
// and the durable handoff (a broker confirm on the full stack, a group commit in embedded mode).
// Each records latency and failures per operation and, for the queue, the handoffs waiting.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ports/metrics.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/stock_gate.hpp"

namespace gomall::adapters::metrics {

/// `store` names the gate's technology in the `store` label ("redis", "memory").
class MeteredStockGate final : public ports::StockGate {
public:
    MeteredStockGate(ports::StockGate& inner, ports::Metrics& metrics, const std::string& store);

    void load(
        const domain::SeckillActivity& activity,
        std::int64_t available,
        const std::vector<ports::ShopperTally>& shoppers
    ) override;
    void remove(std::int64_t activity_id) override;
    boost::asio::awaitable<domain::ReserveResult> reserve(
        std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
    ) override;
    boost::asio::awaitable<void> release(std::int64_t activity_id, std::int64_t user_id) override;
    boost::asio::awaitable<void> settle(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned)
        override;
    boost::asio::awaitable<void> settle_ordered(
        std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
    ) override;
    boost::asio::awaitable<std::vector<ports::InFlightReservation>> in_flight_of(
        std::int64_t activity_id, std::int64_t user_id
    ) override;
    bool tracks_in_flight() const override;
    std::optional<std::int64_t> available(std::int64_t activity_id) const override;

private:
    struct Operation {
        ports::Histogram* seconds;
        ports::Counter* errors;
    };
    Operation operation(const std::string& store, const std::string& name);

    ports::StockGate& inner_;
    ports::HistogramFamily& seconds_;
    ports::CounterFamily& errors_;
    Operation reserve_;
    Operation release_;
    Operation settle_;
    Operation settle_ordered_;
    Operation in_flight_;
};

/// `mode` names the handoff in the `mode` label ("broker", "group_commit").
class MeteredReservationQueue final : public ports::ReservationQueue {
public:
    MeteredReservationQueue(ports::ReservationQueue& inner, ports::Metrics& metrics, const std::string& mode);

    boost::asio::awaitable<void> publish(domain::Reservation reservation) override;
    void on_outcome(std::function<void(const domain::Reservation&)> listener) override;

private:
    ports::ReservationQueue& inner_;
    ports::Histogram& seconds_;
    ports::Counter& failures_;
    ports::Gauge& waiting_;
};

}  // namespace gomall::adapters::metrics
