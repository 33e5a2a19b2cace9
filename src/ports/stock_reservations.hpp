// The stock an order takes when the order and the catalogue live in different services: the
// catalogue side's record of what each order number took, reserved and released idempotently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/order.hpp"

namespace gomall::ports {

struct StockRequest {
    std::string order_no;
    std::int64_t user_id = 0;
    std::vector<domain::OrderLineRequest> lines;
    bool from_cart = false;  // checkout: the shopper's cart lines with these quantities go in the same step
};

class StockReservations {
public:
    virtual ~StockReservations() = default;
    /// Takes every line's stock, all or nothing, under the order number, and answers the lines as
    /// taken (name, image and price of that moment). A repeated call for the same number answers
    /// what the first took and takes nothing more. Errors: those of taking stock (kProductNotFound,
    /// kProductUnavailable, kInsufficientStock, kNothingToCheckout, kBadRequest), kOrderStatusConflict
    /// when the number was released first, and kUnavailable when the outcome is unknown (the
    /// caller must release the number before it gives up on it).
    virtual Result<std::vector<domain::OrderItem>> reserve(const StockRequest& request) = 0;
    /// Gives back what the number took, once however often it is called, and answers the lines this
    /// call gave back (none when they were given back before, or the number never reserved: it is
    /// then marked so that a late reserve() is refused). kUnavailable: not done, call again later.
    virtual Result<std::vector<domain::OrderItem>> release(const std::string& order_no) = 0;
};

}  // namespace gomall::ports
