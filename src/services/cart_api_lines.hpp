// The cart lines checkout needs, read through CartApi: how an order side reaches a cart that
// another service (the catalogue service) keeps.
#pragma once

#include "ports/cart_lines.hpp"
#include "services/cart_api.hpp"

namespace gomall::services {

class CartApiLines final : public ports::CartLines {
public:
    explicit CartApiLines(CartApi& carts) : carts_(carts) {}
    std::vector<domain::CartItem> list(std::int64_t user_id) override { return carts_.list(user_id).items; }

private:
    CartApi& carts_;
};

}  // namespace gomall::services
