// What the order side tells the flash sale in one process: one of its orders was cancelled (by the
// shopper, on paying too late, or by the unpaid timeout), after the cancel committed, so the unit
// goes back on sale and the shopper may buy again. With the two in separate services the order
// service sends ports::FlashSaleUnitReturns instead, and the seckill service does this part after
// releasing the unit in its own tables (services::SeckillUnitReturns).
#pragma once

#include <cstdint>
#include <string>

namespace gomall::ports {

class FlashSaleReturns {
public:
    virtual ~FlashSaleReturns() = default;

    /// The database side (sold decremented, reservation released) is done already; this returns
    /// the unit to the stock gate and frees the shopper's mark. Must not block (called on the
    /// cancelling request's thread); must not throw for an unknown activity.
    virtual void order_cancelled(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) = 0;
};

}  // namespace gomall::ports
