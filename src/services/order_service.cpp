// Implementation of the order service.
#include "services/order_service.hpp"

#include <exception>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "domain/cart.hpp"
#include "services/order_errors.hpp"

namespace gomall::services {
namespace {

using domain::OrderStatus;

bool cancellable(OrderStatus status) {
    return status == OrderStatus::kProcessing || status == OrderStatus::kAwaitingPayment;
}

}  // namespace

OrderService::OrderService(
    ports::OrderRepository& orders,
    ports::CartLines& carts,
    OrderNumberGenerator& numbers,
    const ports::Clock& clock,
    OrderSettings settings
)
    : orders_(orders), carts_(carts), numbers_(numbers), clock_(clock), settings_(settings) {}

Result<domain::Order> OrderService::create(std::int64_t user_id, std::int64_t product_id, int quantity) {
    if (quantity < 1 || quantity > domain::kMaxCartQuantity) {
        return make_error(
            ErrorCode::kBadRequest, "quantity: must be 1-" + std::to_string(domain::kMaxCartQuantity), "quantity"
        );
    }
    return place(user_id, {domain::OrderLineRequest{product_id, quantity}}, false);
}

Result<domain::Order> OrderService::checkout(
    std::int64_t user_id, const std::optional<std::vector<std::int64_t>>& product_ids
) {
    std::unordered_set<std::int64_t> selected;
    if (product_ids) {
        selected.insert(product_ids->begin(), product_ids->end());
    }
    std::vector<domain::OrderLineRequest> lines;
    for (const auto& item : carts_.list(user_id)) {
        if (!product_ids || selected.contains(item.product_id)) {
            lines.push_back(domain::OrderLineRequest{item.product_id, item.quantity});
        }
    }
    if (lines.empty()) {
        return make_error(ErrorCode::kNothingToCheckout, "nothing to check out: the cart has no such lines");
    }
    return place(user_id, std::move(lines), true);
}

Result<domain::Order> OrderService::place(
    std::int64_t user_id, std::vector<domain::OrderLineRequest> lines, bool from_cart
) {
    domain::OrderDraft draft;
    draft.order_no = numbers_.next();
    draft.user_id = user_id;
    draft.lines = std::move(lines);
    draft.now = clock_.now();
    draft.expires_at = draft.now + settings_.unpaid_timeout;
    draft.remove_from_cart = from_cart;
    try {
        return counted_as_created(notify_stock(orders_.place(draft)));
    } catch (const std::exception& e) {
        // The only failure a fresh number can fix is a unique order_no collision (two instances
        // configured with one node id). place() is all-or-nothing, so one retry cannot double-buy;
        // anything else fails again and propagates.
        spdlog::warn("placing order {} failed ({}); retrying once with a new number", draft.order_no, e.what());
    }
    draft.order_no = numbers_.next();
    return counted_as_created(notify_stock(orders_.place(draft)));
}

Result<domain::Order> OrderService::counted_as_created(Result<domain::Order> order) const {
    if (order.ok()) {
        count(counters_.created);
    }
    return order;
}

Result<domain::Order> OrderService::notify_stock(Result<domain::Order> order) {
    if (order.ok() && stock_changed_) {
        for (const auto& item : order->items) {
            stock_changed_(item.product_id);
        }
    }
    return order;
}

void OrderService::notify_stock_of(const std::string& order_no) {
    if (stock_changed_) {
        notify_stock(reread(order_no, 0));
    }
}

void OrderService::notify_cancelled(const domain::Order& order) {
    if (flash_sale_returns_ == nullptr || order.seckill_activity_id == 0) {
        return;  // an ordinary order's stock came back in the cancel's transaction
    }
    try {
        flash_sale_returns_->order_cancelled(order.seckill_activity_id, order.user_id, order.order_no);
    } catch (const std::exception& e) {
        // The cancel is committed; the flash sale's failure must not turn it into an error for the
        // caller (its reconciler returns the unit from the database's count).
        spdlog::error("order {} cancelled, but its flash-sale unit was not returned: {}", order.order_no, e.what());
    }
}

domain::Page<domain::Order> OrderService::list(
    std::int64_t user_id, std::optional<domain::OrderStatus> status, int page, int page_size
) {
    // user_id 0 means "all users" to the repository; never let a caller reach that by accident.
    if (user_id <= 0) {
        return domain::Page<domain::Order>{{}, 0, page, page_size};
    }
    return orders_.list(domain::OrderQuery{user_id, status, page, page_size});
}

domain::Page<domain::Order> OrderService::list_all(std::optional<domain::OrderStatus> status, int page, int page_size) {
    return orders_.list(domain::OrderQuery{0, status, page, page_size});
}

Result<domain::Order> OrderService::get(std::int64_t user_id, const std::string& order_no) {
    if (user_id <= 0) {
        return order_not_found(order_no);
    }
    return reread(order_no, user_id);
}

Result<domain::Order> OrderService::get_any(const std::string& order_no) {
    return reread(order_no, 0);
}

Result<domain::Order> OrderService::pay(std::int64_t user_id, const std::string& order_no) {
    if (!settings_.direct_pay_enabled) {
        return make_error(ErrorCode::kDirectPayDisabled, "direct payment is disabled; use a payment provider");
    }
    auto found = get(user_id, order_no);
    if (!found.ok()) {
        return found;
    }
    const domain::Order& order = found.value();
    if (order.status != OrderStatus::kAwaitingPayment) {
        return order_status_conflict(order, "paid");
    }
    const TimePoint now = clock_.now();
    if (order.expires_at <= now) {
        // Its units may already be promised back to stock by the sweeper; taking money now would
        // sell them twice. Cancel it here instead of waiting for the next sweep.
        if (!may_cancel(order_no)) {
            return reread(order_no, user_id);  // a provider's payment landed meanwhile
        }
        if (orders_.cancel(order_no, now)) {
            count(counters_.timed_out);
            notify_stock_of(order_no);
            notify_cancelled(order);
        }
        return make_error(
            ErrorCode::kOrderStatusConflict, "order " + order_no + " expired unpaid and has been cancelled"
        );
    }
    if (orders_.mark_paid(order_no, domain::PayType::kDemo, now)) {
        count(counters_.paid);
    } else {
        // Lost a race (cancelled or paid meanwhile): explain with the current state.
        auto current = reread(order_no, user_id);
        if (!current.ok()) {
            return current;
        }
        return order_status_conflict(current.value(), "paid");
    }
    return reread(order_no, user_id);
}

Result<domain::Order> OrderService::cancel(std::int64_t user_id, const std::string& order_no) {
    auto found = get(user_id, order_no);
    if (!found.ok()) {
        return found;
    }
    if (!cancellable(found->status)) {
        return order_status_conflict(found.value(), "cancelled");
    }
    if (!may_cancel(order_no) || !orders_.cancel(order_no, clock_.now())) {
        auto current = reread(order_no, user_id);
        if (!current.ok()) {
            return current;
        }
        return order_status_conflict(current.value(), "cancelled");
    }
    count(counters_.cancelled);
    // The order read before the cancel names the products: drop them from caches before anything else
    // (a re-read first would leave a window where the detail page shows the old stock).
    notify_stock(found);
    notify_cancelled(found.value());
    return reread(order_no, user_id);
}

int OrderService::cancel_expired(int limit) {
    int cancelled = 0;
    for (const auto& order_no : orders_.expired_unpaid(clock_.now(), limit)) {
        if (!may_cancel(order_no)) {
            continue;  // paid at the provider at the last moment: now paid here too
        }
        // False means it was paid or cancelled since the query: nothing to do.
        auto before = stock_changed_ || flash_sale_returns_ != nullptr
                          ? reread(order_no, 0)
                          : Result<domain::Order>(order_not_found(order_no));
        if (orders_.cancel(order_no, clock_.now())) {
            count(counters_.timed_out);
            if (before.ok()) {
                notify_cancelled(before.value());
            }
            notify_stock(std::move(before));
            ++cancelled;
        }
    }
    return cancelled;
}

bool OrderService::may_cancel(const std::string& order_no) {
    if (!before_cancel_) {
        return true;
    }
    try {
        return before_cancel_(order_no);
    } catch (const std::exception& e) {
        // The guard closes the provider's transaction; if that fails, cancelling is still right:
        // the provider stops taking money at the order's deadline, and money that arrives after
        // the cancel anyway is refunded automatically.
        spdlog::warn("order {}: closing its payment before the cancel failed: {}", order_no, e.what());
        return true;
    }
}

Result<domain::Order> OrderService::reread(const std::string& order_no, std::int64_t user_id) {
    auto order = orders_.find(order_no, user_id);
    if (!order) {
        return order_not_found(order_no);
    }
    return std::move(*order);
}

}  // namespace gomall::services
