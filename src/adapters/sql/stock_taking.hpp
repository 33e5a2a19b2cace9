// Taking a product's stock for order lines inside a caller's transaction. Used where an order and
// its stock are written in one transaction (SqlOrderRepository, one process owning both) and where
// the catalogue service takes stock for an order written by another service (SqlStockReservations).
// The guarded UPDATE (stock >= quantity) is the no-oversell rule in both.
#pragma once

#include <cstdint>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/database.hpp"
#include "core/error.hpp"
#include "domain/order.hpp"

namespace gomall::adapters::sql {

/// In the caller's open transaction: when `from_cart`, removes the user's cart lines with exactly
/// these quantities (a cart changed meanwhile is kNothingToCheckout); then, in product-id order
/// (two multi-line orders lock rows alike: no deadlock), takes each line's stock from an on-sale,
/// not-deleted product and adds it to sales. Answers the lines in request order with the product's
/// name, image and price at that moment. On an error the caller must roll back: some lines may
/// have been taken. Errors: kBadRequest, kNothingToCheckout, kProductNotFound, kProductUnavailable,
/// kInsufficientStock (field = the product id).
Result<std::vector<domain::OrderItem>> take_stock(
    soci::session& session,
    Dialect dialect,
    std::int64_t user_id,
    const std::vector<domain::OrderLineRequest>& lines,
    bool from_cart
);

/// In the caller's open transaction: puts `quantity` units back and takes them off sales.
void restock(soci::session& session, std::int64_t product_id, int quantity);

}  // namespace gomall::adapters::sql
