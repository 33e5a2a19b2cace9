// Order rules: buying one product or the cart, listing, the demo payment, cancelling, and
// the timeout that cancels unpaid orders and returns their units to stock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/order.hpp"
#include "domain/product.hpp"
#include "ports/cart_lines.hpp"
#include "ports/clock.hpp"
#include "ports/flash_sale_returns.hpp"
#include "ports/order_repository.hpp"
#include "services/order_api.hpp"
#include "services/order_metrics.hpp"
#include "services/order_number.hpp"

namespace gomall::services {

struct OrderSettings {
    std::chrono::seconds unpaid_timeout{900};
    /// The demo "pay now" button; off in production, where payment goes through a provider.
    bool direct_pay_enabled = true;
};

class OrderService final : public OrderApi {
public:
    OrderService(
        ports::OrderRepository& orders,
        ports::CartLines& carts,
        OrderNumberGenerator& numbers,
        const ports::Clock& clock,
        OrderSettings settings
    );

    /// Buys one product. Errors: kBadRequest (quantity), and from the repository kProductNotFound,
    /// kProductUnavailable, kInsufficientStock.
    Result<domain::Order> create(std::int64_t user_id, std::int64_t product_id, int quantity) override;
    /// Buys the selected cart lines (nullopt = every line); ids not in the cart are ignored; the bought
    /// lines leave the cart in the same transaction. Errors: kNothingToCheckout, and those of create().
    Result<domain::Order> checkout(std::int64_t user_id, const std::optional<std::vector<std::int64_t>>& product_ids)
        override;

    domain::Page<domain::Order> list(
        std::int64_t user_id, std::optional<domain::OrderStatus> status, int page, int page_size
    ) override;
    /// Admin: every user's orders.
    domain::Page<domain::Order> list_all(std::optional<domain::OrderStatus> status, int page, int page_size) override;
    /// Errors: kOrderNotFound (also for another user's order, so numbers cannot be probed).
    Result<domain::Order> get(std::int64_t user_id, const std::string& order_no) override;
    /// Admin: any user's order. Errors: kOrderNotFound.
    Result<domain::Order> get_any(const std::string& order_no) override;

    /// Demo payment. Errors: kDirectPayDisabled, kOrderNotFound, kOrderStatusConflict (not awaiting
    /// payment, or expired: an expired order is cancelled here rather than paid).
    Result<domain::Order> pay(std::int64_t user_id, const std::string& order_no) override;
    /// Errors: kOrderNotFound, kOrderStatusConflict (already paid, shipped, cancelled...).
    Result<domain::Order> cancel(std::int64_t user_id, const std::string& order_no) override;

    /// Cancels up to `limit` unpaid orders past their deadline; returns how many it cancelled.
    int cancel_expired(int limit);

    /// Called with each product id whose stock an order placed or cancelled here has moved,
    /// so caches of product detail can drop it. Set once at wiring time.
    void on_stock_changed(std::function<void(std::int64_t product_id)> listener) {
        stock_changed_ = std::move(listener);
    }
    /// Told of each flash-sale order this service cancelled (by the shopper, on paying too late, or
    /// by cancel_expired), after the cancel committed, so the unit goes back on sale. Set once at
    /// wiring time; `returns` must outlive the service.
    void return_flash_sale_units_to(ports::FlashSaleReturns& returns) { flash_sale_returns_ = &returns; }
    /// Asked before an unpaid order is cancelled (by the shopper, on paying too late, or by the
    /// timeout), so the payment provider's open transaction can be closed first. Returns false when
    /// the order must not be cancelled because its payment went through meanwhile. Set once at wiring time.
    void on_before_cancel(std::function<bool(const std::string& order_no)> guard) { before_cancel_ = std::move(guard); }
    /// Counts orders created, paid with the demo button, cancelled and timed out. Set once at wiring time.
    void use_counters(const OrderCounters& counters) { counters_ = counters; }

private:
    Result<domain::Order> place(std::int64_t user_id, std::vector<domain::OrderLineRequest> lines, bool from_cart);
    Result<domain::Order> reread(const std::string& order_no, std::int64_t user_id);
    Result<domain::Order> notify_stock(Result<domain::Order> order);
    void notify_stock_of(const std::string& order_no);
    void notify_cancelled(const domain::Order& order);
    bool may_cancel(const std::string& order_no);
    Result<domain::Order> counted_as_created(Result<domain::Order> order) const;

    ports::OrderRepository& orders_;
    ports::CartLines& carts_;
    OrderNumberGenerator& numbers_;
    const ports::Clock& clock_;
    const OrderSettings settings_;
    std::function<void(std::int64_t)> stock_changed_;
    ports::FlashSaleReturns* flash_sale_returns_ = nullptr;
    std::function<bool(const std::string&)> before_cancel_;
    OrderCounters counters_;
};

}  // namespace gomall::services
