#include "adapters/metrics/metered_flash_sale.hpp"

#include <chrono>
#include <exception>
#include <utility>

namespace gomall::adapters::metrics {
namespace {

/// Times one awaited call into `op`; a call that throws is counted as an error and rethrown.
template <class Awaitable, class Op>
auto timed(Op op, Awaitable call) -> Awaitable {
    const auto started = std::chrono::steady_clock::now();
    try {
        auto result = co_await std::move(call);
        op.seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        co_return result;
    } catch (...) {
        op.errors->inc();
        throw;
    }
}

}  // namespace

MeteredStockGate::MeteredStockGate(ports::StockGate& inner, ports::Metrics& metrics, const std::string& store)
    : inner_(inner),
      seconds_(metrics.histogram(
          "gomall_stock_gate_seconds",
          "Stock gate calls that answered, by store and operation (on the full stack: one Redis script each).",
          ports::latency_seconds_buckets(),
          {"store", "operation"}
      )),
      errors_(metrics.counter(
          "gomall_stock_gate_errors_total",
          "Stock gate calls that failed (store unreachable, timeout, script error), by store and operation.",
          {"store", "operation"}
      )),
      reserve_(operation(store, "reserve")),
      release_(operation(store, "release")),
      settle_(operation(store, "settle")),
      settle_ordered_(operation(store, "settle_ordered")),
      in_flight_(operation(store, "in_flight")) {}

MeteredStockGate::Operation MeteredStockGate::operation(const std::string& store, const std::string& name) {
    return {&seconds_.with({store, name}), &errors_.with({store, name})};
}

void MeteredStockGate::load(
    const domain::SeckillActivity& activity, std::int64_t available, const std::vector<ports::ShopperTally>& shoppers
) {
    inner_.load(activity, available, shoppers);
}

void MeteredStockGate::remove(std::int64_t activity_id) {
    inner_.remove(activity_id);
}

boost::asio::awaitable<domain::ReserveResult> MeteredStockGate::reserve(
    std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
) {
    return timed(reserve_, inner_.reserve(activity_id, user_id, now, std::move(reservation_id)));
}

boost::asio::awaitable<void> MeteredStockGate::release(std::int64_t activity_id, std::int64_t user_id) {
    const auto started = std::chrono::steady_clock::now();
    try {
        co_await inner_.release(activity_id, user_id);
    } catch (...) {
        release_.errors->inc();
        throw;
    }
    release_.seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

boost::asio::awaitable<void> MeteredStockGate::settle(
    std::int64_t activity_id, std::int64_t user_id, int seq, bool returned
) {
    const auto started = std::chrono::steady_clock::now();
    try {
        co_await inner_.settle(activity_id, user_id, seq, returned);
    } catch (...) {
        settle_.errors->inc();
        throw;
    }
    settle_.seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

boost::asio::awaitable<void> MeteredStockGate::settle_ordered(
    std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
) {
    const auto started = std::chrono::steady_clock::now();
    try {
        co_await inner_.settle_ordered(activity_id, std::move(ordered));
    } catch (...) {
        settle_ordered_.errors->inc();
        throw;
    }
    settle_ordered_.seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

boost::asio::awaitable<std::vector<ports::InFlightReservation>> MeteredStockGate::in_flight_of(
    std::int64_t activity_id, std::int64_t user_id
) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<ports::InFlightReservation> found;
    try {
        found = co_await inner_.in_flight_of(activity_id, user_id);
    } catch (...) {
        in_flight_.errors->inc();
        throw;
    }
    in_flight_.seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    co_return found;
}

bool MeteredStockGate::tracks_in_flight() const {
    return inner_.tracks_in_flight();
}

std::optional<std::int64_t> MeteredStockGate::available(std::int64_t activity_id) const {
    return inner_.available(activity_id);
}

MeteredReservationQueue::MeteredReservationQueue(
    ports::ReservationQueue& inner, ports::Metrics& metrics, const std::string& mode
)
    : inner_(inner),
      seconds_(metrics
                   .histogram(
                       "gomall_seckill_publish_seconds",
                       "Time to make a reservation durable (broker confirm, or group commit with its order), by mode.",
                       ports::latency_seconds_buckets(),
                       {"mode"}
                   )
                   .with({mode})),
      failures_(metrics
                    .counter(
                        "gomall_seckill_publish_failures_total",
                        "Reservations that could not be made durable (the shopper was told to retry), by mode.",
                        {"mode"}
                    )
                    .with({mode})),
      waiting_(metrics
                   .gauge(
                       "gomall_seckill_queue_depth",
                       "Reservations handed to the queue and not yet durable, by mode.",
                       {"mode"}
                   )
                   .with({mode})) {}

boost::asio::awaitable<void> MeteredReservationQueue::publish(domain::Reservation reservation) {
    const auto started = std::chrono::steady_clock::now();
    waiting_.add(1);
    try {
        co_await inner_.publish(std::move(reservation));
    } catch (...) {
        waiting_.add(-1);
        failures_.inc();
        throw;
    }
    waiting_.add(-1);
    seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

void MeteredReservationQueue::on_outcome(std::function<void(const domain::Reservation&)> listener) {
    inner_.on_outcome(std::move(listener));
}

}  // namespace gomall::adapters::metrics
