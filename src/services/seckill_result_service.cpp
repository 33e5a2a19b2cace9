// Results: verdicts from the queue, polls that read the gate before the database, units returned.
#include "services/seckill_result_service.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "services/seckill_errors.hpp"

namespace gomall::services {

SeckillResultService::SeckillResultService(
    SeckillActivityIndex& index,
    ports::SeckillRepository& repository,
    ports::StockGate& gate,
    ports::ReservationQueue& queue,
    SeckillResults& results,
    const ports::Clock& clock,
    SeckillSettings settings,
    boost::asio::any_io_executor executor
)
    : index_(index),
      repository_(repository),
      gate_(gate),
      results_(results),
      clock_(clock),
      settings_(settings),
      executor_(std::move(executor)),
      ordered_(gate_, executor_) {
    queue.on_outcome([this](const domain::Reservation& reservation) { on_outcome(reservation); });
}

void SeckillResultService::on_outcome(const domain::Reservation& reservation) {
    const auto previous = results_.record_outcome(reservation);
    if (auto* metrics = index_.metrics();
        metrics != nullptr && (!previous || *previous == domain::ReservationStatus::kPending)) {
        // Unknown here: queued by another instance, written by this one's consumer. Known and
        // already settled: a redelivery, not a new order.
        if (reservation.status == domain::ReservationStatus::kFailed) {
            metrics->reservation_failed(reservation.activity_id);
        } else {
            const std::chrono::duration<double> handoff = clock_.now() - reservation.reserved_at;
            metrics->order_written(reservation.activity_id, std::max(0.0, handoff.count()));
        }
    }
    // A reservation that could not become an order holds neither a unit nor the shopper's mark. A
    // redelivered failure (already known as failed) must not return the unit a second time.
    if (reservation.status == domain::ReservationStatus::kFailed && previous != domain::ReservationStatus::kFailed) {
        spdlog::info(
            "flash sale {}: reservation {} failed ({}); unit returned",
            reservation.activity_id,
            reservation.id,
            reservation.fail_reason
        );
        settle_detached(reservation.activity_id, reservation.user_id, reservation.seq, true);
    } else if (reservation.status != domain::ReservationStatus::kFailed) {
        settle_detached(reservation.activity_id, reservation.user_id, reservation.seq, false);
    }
}

void SeckillResultService::order_cancelled(
    std::int64_t activity_id, std::int64_t user_id, const std::string& order_no
) {
    // The cancel transaction already decremented sold and released the reservation row; this puts the
    // unit back on sale in the gate and lets the shopper buy again.
    release_detached(activity_id, user_id);
    results_.mark_released(activity_id, user_id, order_no);
}

void SeckillResultService::release_detached(std::int64_t activity_id, std::int64_t user_id) {
    // Callers are plain threads (the order service on the blocking pool, the queue's writer), which
    // must not wait for the gate; the release runs on the service's executor instead.
    boost::asio::co_spawn(
        executor_,
        [this, activity_id, user_id]() -> boost::asio::awaitable<void> {
            try {
                co_await gate_.release(activity_id, user_id);
            } catch (const std::exception& e) {
                spdlog::error("flash sale {}: returning a unit of user {} failed: {}", activity_id, user_id, e.what());
            }
        },
        boost::asio::detached
    );
}

void SeckillResultService::settle_detached(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned) {
    if (!returned) {
        if (gate_.tracks_in_flight()) {
            ordered_.ordered(activity_id, user_id, seq);  // batched: one round trip for many orders
        }
        return;  // otherwise nothing to tell a gate that forgets a reservation once it is handed off
    }
    boost::asio::co_spawn(
        executor_,
        [this, activity_id, user_id, seq, returned]() -> boost::asio::awaitable<void> {
            try {
                co_await gate_.settle(activity_id, user_id, seq, returned);
            } catch (const std::exception& e) {
                // The reconciler settles what is left in flight once the gate is reachable again.
                spdlog::warn(
                    "flash sale {}: settling reservation {} of user {} failed: {}", activity_id, seq, user_id, e.what()
                );
            }
        },
        boost::asio::detached
    );
}

Result<SeckillResult> SeckillResultService::result(std::int64_t user_id, std::int64_t product_id) {
    const auto activity = index_.select(product_id, clock_.now());
    if (!activity) {
        return seckill_errors::no_sale_for_product(product_id);
    }
    // The gate is asked before the database: a reservation leaves the gate's in-flight set only
    // after its order is written, so one of the two reads sees it.
    const auto in_flight = in_flight_elsewhere(*activity, user_id).value_or(std::vector<domain::Reservation>{});
    // The database is the truth for everything it holds; memory adds what it has not seen yet.
    results_.merge(activity->id, user_id, repository_.reservations_of(activity->id, user_id));
    for (const auto& pending : in_flight) {
        // Kept as queued (unless known), so this instance's event streams and sync_unresolved()
        // follow it until another instance's consumer writes its order.
        results_.record_queued(pending);
    }
    return summarize(activity->id, product_id, results_.of(activity->id, user_id));
}

std::optional<std::vector<domain::Reservation>> SeckillResultService::in_flight_elsewhere(
    const domain::SeckillActivity& activity, std::int64_t user_id
) {
    if (!gate_.tracks_in_flight()) {
        return std::nullopt;  // a gate of this process only: memory already knows every reservation
    }
    std::vector<ports::InFlightReservation> found;
    try {
        // Not on executor_: that is the blocking pool this very thread belongs to, and with every
        // pool thread waiting here the lookup could never run. The system executor's threads never wait.
        auto future = boost::asio::co_spawn(
            boost::asio::system_executor(), gate_.in_flight_of(activity.id, user_id), boost::asio::use_future
        );
        if (future.wait_for(settings_.in_flight_lookup_timeout) != std::future_status::ready) {
            spdlog::debug("flash sale {}: the gate did not answer for user {} in time", activity.id, user_id);
            return std::nullopt;
        }
        found = future.get();
    } catch (const std::exception& e) {
        // The answer falls back to what the database and memory know; a purchase would fail anyway.
        spdlog::debug("flash sale {}: in-flight lookup for user {} failed: {}", activity.id, user_id, e.what());
        return std::nullopt;
    }
    std::vector<domain::Reservation> out;
    out.reserve(found.size());
    for (auto& f : found) {
        domain::Reservation r;
        r.id = std::move(f.reservation_id);
        r.activity_id = activity.id;
        r.product_id = activity.product_id;
        r.user_id = user_id;
        r.seq = f.seq;
        r.price = activity.price;
        r.reserved_at = f.reserved_at;
        r.status = domain::ReservationStatus::kPending;
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<SeckillResult> SeckillResultService::cached_result(std::int64_t user_id, std::int64_t activity_id) const {
    auto reservations = results_.of(activity_id, user_id);
    if (reservations.empty()) {
        return std::nullopt;
    }
    const std::int64_t product_id = reservations.front().product_id;
    return summarize(activity_id, product_id, std::move(reservations));
}

std::size_t SeckillResultService::sync_unresolved(std::chrono::milliseconds age, std::size_t limit) {
    const TimePoint reserved_before = clock_.now() - age;
    const auto waiting = results_.unresolved(reserved_before, limit);
    for (const auto& [activity_id, user_id] : waiting) {
        std::optional<std::vector<domain::Reservation>> in_flight;
        if (const auto view = index_.cached(activity_id)) {
            in_flight = in_flight_elsewhere(view->activity, user_id);  // before the database, as in result()
        }
        const auto stored = repository_.reservations_of(activity_id, user_id);
        results_.merge(activity_id, user_id, stored);
        if (in_flight) {
            // Neither stored nor held by the gate any more: it was returned before becoming an
            // order (the instance that made it told the shopper to retry). Stop reporting it. A
            // stored one still pending has its unit: its order waits to reach the order service.
            std::vector<domain::Reservation> kept = std::move(*in_flight);
            kept.insert(kept.end(), stored.begin(), stored.end());
            results_.forget_vanished(activity_id, user_id, reserved_before, kept);
        }
    }
    return waiting.size();
}

}  // namespace gomall::services
