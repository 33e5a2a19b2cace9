// Giving back the unit of a cancelled flash-sale order when the order and the flash sale live in
// separate services: the order service queues the return with the cancel and sends it until the
// flash sale has taken it. The flash sale releases the reservation and the unit (sold - 1) in its
// own tables and puts the unit back on sale in its gate. In the seckill service it is
// services::SeckillUnitReturns; in the order service, the gRPC client that reaches it.
#pragma once

#include <string>

#include "core/error.hpp"

namespace gomall::ports {

class FlashSaleUnitReturns {
public:
    virtual ~FlashSaleUnitReturns() = default;

    /// Idempotent by order number: answers true when this call gave the unit back, false when
    /// there was nothing to give (given back before, or no flash-sale reservation has that number);
    /// either way the caller is done. kUnavailable when the outcome is unknown (send again).
    /// Blocks.
    virtual Result<bool> return_unit(const std::string& order_no) = 0;
};

}  // namespace gomall::ports
