// Shopping cart rules: what may be added, quantity limits, and the totals shown to the shopper.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "domain/cart.hpp"
#include "ports/cart_repository.hpp"
#include "ports/clock.hpp"
#include "ports/product_repository.hpp"

namespace gomall::services {

struct CartSummary {
    std::vector<domain::CartItem> items;  // newest first
    std::int64_t total_quantity = 0;      // over available lines: what checkout would buy
    Cents total_price = 0;                // over available lines
};

class CartService {
public:
    CartService(ports::CartRepository& carts, ports::ProductRepository& products, const ports::Clock& clock);

    /// A line can be bought now: product on sale, not deleted, enough stock for the line.
    static bool available(const domain::CartItem& item);

    /// Adds to the line (merging quantities). Errors: kBadRequest (quantity), kProductNotFound,
    /// kCartProductUnavailable (off shelf), kCartQuantityLimit (merged total above 99).
    Result<domain::CartItem> add(std::int64_t user_id, std::int64_t product_id, int quantity);
    /// Errors: kBadRequest (quantity), kCartItemNotFound.
    Result<domain::CartItem> update(std::int64_t user_id, std::int64_t product_id, int quantity);
    /// Errors: kCartItemNotFound.
    Status remove(std::int64_t user_id, std::int64_t product_id);
    void clear(std::int64_t user_id);
    CartSummary list(std::int64_t user_id);

private:
    Result<domain::CartItem> line_of(std::int64_t user_id, std::int64_t product_id);

    ports::CartRepository& carts_;
    ports::ProductRepository& products_;
    const ports::Clock& clock_;
};

}  // namespace gomall::services
