// Persistence of shopping carts.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/time.hpp"
#include "domain/cart.hpp"
#include "ports/cart_lines.hpp"

namespace gomall::ports {

class CartRepository : public CartLines {
public:
    /// Adds `quantity` to the user's line for the product (creating it), atomically.
    /// Returns the new quantity, or nullopt (and changes nothing) if it would exceed `max_quantity`.
    virtual std::optional<int> add(
        std::int64_t user_id, std::int64_t product_id, int quantity, int max_quantity, TimePoint now
    ) = 0;
    /// Sets the quantity of an existing line; false if the line does not exist.
    virtual bool set_quantity(std::int64_t user_id, std::int64_t product_id, int quantity, TimePoint now) = 0;
    virtual bool remove(std::int64_t user_id, std::int64_t product_id) = 0;
    virtual std::int64_t clear(std::int64_t user_id) = 0;
};

}  // namespace gomall::ports
