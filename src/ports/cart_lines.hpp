// Reading a shopper's cart lines: all that checking out needs of the cart, whether the cart is a
// table in this process (CartRepository) or another service's (services::CartApiLines).
#pragma once

#include <cstdint>
#include <vector>

#include "domain/cart.hpp"

namespace gomall::ports {

class CartLines {
public:
    virtual ~CartLines() = default;
    /// The user's lines with live product fields, newest first.
    virtual std::vector<domain::CartItem> list(std::int64_t user_id) = 0;
};

}  // namespace gomall::ports
