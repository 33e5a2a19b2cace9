// Persistence of orders, including the transactional stock movements that go with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/order.hpp"
#include "domain/product.hpp"

namespace gomall::ports {

class OrderRepository {
public:
    virtual ~OrderRepository() = default;

    /// In one transaction: for every line, decrement stock with the guard
    /// `stock >= quantity` on an on-sale, not-deleted product, add to sales,
    /// insert the order and its lines (unit price = current price), and when
    /// draft.remove_from_cart, delete those lines from the user's cart.
    /// All or nothing. Business failures: kProductNotFound, kProductUnavailable
    /// (off shelf), kInsufficientStock (field names the product id).
    virtual Result<domain::Order> place(const domain::OrderDraft& draft) = 0;

    /// The order if it exists and (when user_id != 0) belongs to that user.
    virtual std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) = 0;
    virtual domain::Page<domain::Order> list(const domain::OrderQuery& query) = 0;

    /// Awaiting payment -> paid with `pay_type`, atomically. False if the order
    /// was not awaiting payment (caller re-reads to explain why).
    virtual bool mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) = 0;
    /// Processing/awaiting payment -> cancelled, and the units go back to stock
    /// (sales reduced), in one transaction. False if the order was not cancellable.
    virtual bool cancel(const std::string& order_no, TimePoint now) = 0;
    /// Order numbers of unpaid orders whose expires_at is before `now`, oldest first.
    virtual std::vector<std::string> expired_unpaid(TimePoint now, int limit) = 0;
};

}  // namespace gomall::ports
