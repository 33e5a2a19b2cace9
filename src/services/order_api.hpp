// Orders as their callers see them (the HTTP handlers): buy, check out the cart, list, read, pay
// (demo), cancel. The class behind it may be in this process or remote.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/order.hpp"
#include "domain/product.hpp"

namespace gomall::services {

/// Every call reads the database: call from the blocking pool.
class OrderApi {
public:
    virtual ~OrderApi() = default;
    /// Buys one product. Errors: kBadRequest (quantity), kProductNotFound, kProductUnavailable,
    /// kInsufficientStock.
    virtual Result<domain::Order> create(std::int64_t user_id, std::int64_t product_id, int quantity) = 0;
    /// Buys the selected cart lines (nullopt = every line). Errors: kNothingToCheckout, and those of create().
    virtual Result<domain::Order> checkout(
        std::int64_t user_id, const std::optional<std::vector<std::int64_t>>& product_ids
    ) = 0;
    virtual domain::Page<domain::Order> list(
        std::int64_t user_id, std::optional<domain::OrderStatus> status, int page, int page_size
    ) = 0;
    /// Admin: every user's orders.
    virtual domain::Page<domain::Order> list_all(
        std::optional<domain::OrderStatus> status, int page, int page_size
    ) = 0;
    /// Errors: kOrderNotFound (also for another user's order, so numbers cannot be probed).
    virtual Result<domain::Order> get(std::int64_t user_id, const std::string& order_no) = 0;
    /// Admin: any user's order. Errors: kOrderNotFound.
    virtual Result<domain::Order> get_any(const std::string& order_no) = 0;
    /// Demo payment. Errors: kDirectPayDisabled, kOrderNotFound, kOrderStatusConflict.
    virtual Result<domain::Order> pay(std::int64_t user_id, const std::string& order_no) = 0;
    /// Errors: kOrderNotFound, kOrderStatusConflict (already paid, shipped, cancelled...).
    virtual Result<domain::Order> cancel(std::int64_t user_id, const std::string& order_no) = 0;
};

}  // namespace gomall::services
