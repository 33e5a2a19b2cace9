// The shopping cart as its callers see it (the HTTP handlers). The class behind it may be in this
// process or remote.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "domain/cart.hpp"

namespace gomall::services {

struct CartSummary {
    std::vector<domain::CartItem> items;  // newest first
    std::int64_t total_quantity = 0;      // over available lines: what checkout would buy
    Cents total_price = 0;                // over available lines
};

/// A line can be bought now: product on sale, not deleted, enough stock for the line.
inline bool cart_line_available(const domain::CartItem& item) {
    return item.status == domain::ProductStatus::kOnSale && !item.product_deleted && item.stock >= item.quantity;
}

/// Every call reads the database: call from the blocking pool.
class CartApi {
public:
    virtual ~CartApi() = default;
    /// Adds to the line (merging quantities). Errors: kBadRequest (quantity), kProductNotFound,
    /// kCartProductUnavailable (off shelf), kCartQuantityLimit (merged total above 99).
    virtual Result<domain::CartItem> add(std::int64_t user_id, std::int64_t product_id, int quantity) = 0;
    /// Errors: kBadRequest (quantity), kCartItemNotFound.
    virtual Result<domain::CartItem> update(std::int64_t user_id, std::int64_t product_id, int quantity) = 0;
    /// Errors: kCartItemNotFound.
    virtual Status remove(std::int64_t user_id, std::int64_t product_id) = 0;
    virtual void clear(std::int64_t user_id) = 0;
    virtual CartSummary list(std::int64_t user_id) = 0;
};

}  // namespace gomall::services
