// Where flash-sale orders become orders when the flash sale does not write the order tables itself
// (services mode): the order side takes the orders the seckill writer committed to its outbox.
// In the order service it is the SQL store; in a seckill instance, the gRPC client that reaches it.
#pragma once

#include <vector>

#include "core/error.hpp"
#include "domain/order.hpp"

namespace gomall::ports {

class FlashSaleOrderIntake {
public:
    virtual ~FlashSaleOrderIntake() = default;

    /// Creates every order of `orders` that does not exist yet (by order number) with its one line,
    /// all in one step, and answers how many it created. Idempotent: an order already there, even
    /// cancelled or paid since, is left as it is, so a relay may send a batch again after a lost
    /// answer. Errors: kBadRequest for a malformed order (nothing created), kUnavailable when the
    /// outcome is unknown (send again). Blocks.
    virtual Result<int> accept(const std::vector<domain::Order>& orders) = 0;
};

}  // namespace gomall::ports
