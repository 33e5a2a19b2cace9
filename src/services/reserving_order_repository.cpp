// The reservation-with-compensation order flow (see the header for the steps).
#include "services/reserving_order_repository.hpp"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {

ReservingOrderRepository::ReservingOrderRepository(
    ports::OrderRepository& orders,
    ports::OrderPlacementStore& store,
    ports::StockReservations& stock,
    const ports::Clock& clock,
    ReservingSettings settings
)
    : orders_(orders), store_(store), stock_(stock), clock_(clock), settings_(settings) {}

Result<domain::Order> ReservingOrderRepository::place(const domain::OrderDraft& draft) {
    store_.begin_placement(draft.order_no, draft.user_id, draft.now);
    auto taken =
        stock_.reserve(ports::StockRequest{draft.order_no, draft.user_id, draft.lines, draft.remove_from_cart});
    if (!taken.ok()) {
        // Refused: nothing was taken. Unknown outcome: whatever it took must come back first; when
        // the release does not get through either, recover() sends it once the catalogue answers.
        const bool refused = taken.error().code != ErrorCode::kUnavailable;
        if (refused || send_release(draft.order_no)) {
            store_.drop_placement(draft.order_no);
        }
        return taken.error();
    }
    domain::Order order = domain::awaiting_payment(draft, std::move(taken.value()));
    if (!store_.finish_placement(order)) {
        // The sweeper gave this placement up and released its stock: the shopper bought nothing.
        return make_error(ErrorCode::kUnavailable, "placing the order took too long; nothing was bought, try again");
    }
    return order;
}

std::optional<domain::Order> ReservingOrderRepository::find(const std::string& order_no, std::int64_t user_id) {
    return orders_.find(order_no, user_id);
}

domain::Page<domain::Order> ReservingOrderRepository::list(const domain::OrderQuery& query) {
    return orders_.list(query);
}

bool ReservingOrderRepository::mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) {
    return orders_.mark_paid(order_no, pay_type, now);
}

bool ReservingOrderRepository::cancel(const std::string& order_no, TimePoint now) {
    const auto cancelled = store_.cancel_queueing_release(order_no, now);
    if (cancelled == ports::QueuedCancel::kNotCancellable) {
        return false;
    }
    if (send_queued_release(order_no)) {
        store_.release_done(order_no);
    }
    return true;
}

std::vector<std::string> ReservingOrderRepository::expired_unpaid(TimePoint now, int limit) {
    return orders_.expired_unpaid(now, limit);
}

int ReservingOrderRepository::recover(int limit) {
    int finished = 0;
    for (const auto& order_no : store_.stale_placements(clock_.now() - settings_.give_up_after, limit)) {
        if (!send_release(order_no)) {
            return finished;
        }
        store_.drop_placement(order_no);
        spdlog::warn("order {} was never finished placing; its stock was released", order_no);
        ++finished;
    }
    Away away;
    for (const auto& order_no : store_.queued_releases(limit)) {
        // Not stopping at a refusal: the release after it may go to the other service.
        if (send_queued_release(order_no, &away)) {
            store_.release_done(order_no);
            ++finished;
        }
    }
    return finished;
}

bool ReservingOrderRepository::send_release(const std::string& order_no) {
    try {
        const auto released = stock_.release(order_no);
        if (!released.ok()) {
            spdlog::warn("order {}: its stock is not released yet: {}", order_no, released.error().message);
        }
        return released.ok();
    } catch (const std::exception& e) {
        spdlog::warn("order {}: its stock is not released yet: {}", order_no, e.what());
        return false;
    }
}

bool ReservingOrderRepository::send_queued_release(const std::string& order_no, Away* away) {
    try {
        // A flash-sale order's unit belongs to its sale, not to the catalogue's stock.
        const auto order = orders_.find(order_no, 0);
        const bool flash_sale = order && order->seckill_activity_id != 0;
        bool* marked_away = away == nullptr ? nullptr : (flash_sale ? &away->flash_sale : &away->catalogue);
        if (marked_away != nullptr && *marked_away) {
            return false;
        }
        bool taken = false;
        if (!flash_sale) {
            taken = send_release(order_no);
        } else if (flash_units_ == nullptr) {
            spdlog::warn("order {}: its flash-sale unit waits: no flash sale to return it to", order_no);
        } else {
            const auto returned = flash_units_->return_unit(order_no);
            if (!returned.ok()) {
                spdlog::warn(
                    "order {}: its flash-sale unit is not returned yet: {}", order_no, returned.error().message
                );
            }
            taken = returned.ok();
        }
        if (!taken && marked_away != nullptr) {
            *marked_away = true;
        }
        return taken;
    } catch (const std::exception& e) {
        spdlog::warn("order {}: its stock is not released yet: {}", order_no, e.what());
        return false;
    }
}

}  // namespace gomall::services
