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
#include "services/cart_api.hpp"

namespace gomall::services {

class CartService final : public CartApi {
public:
    CartService(ports::CartRepository& carts, ports::ProductRepository& products, const ports::Clock& clock);

    /// A line can be bought now (cart_line_available).
    static bool available(const domain::CartItem& item) { return cart_line_available(item); }

    /// Adds to the line (merging quantities). Errors: kBadRequest (quantity), kProductNotFound,
    /// kCartProductUnavailable (off shelf), kCartQuantityLimit (merged total above 99).
    Result<domain::CartItem> add(std::int64_t user_id, std::int64_t product_id, int quantity) override;
    /// Errors: kBadRequest (quantity), kCartItemNotFound.
    Result<domain::CartItem> update(std::int64_t user_id, std::int64_t product_id, int quantity) override;
    /// Errors: kCartItemNotFound.
    Status remove(std::int64_t user_id, std::int64_t product_id) override;
    void clear(std::int64_t user_id) override;
    CartSummary list(std::int64_t user_id) override;

private:
    Result<domain::CartItem> line_of(std::int64_t user_id, std::int64_t product_id);

    ports::CartRepository& carts_;
    ports::ProductRepository& products_;
    const ports::Clock& clock_;
};

}  // namespace gomall::services
