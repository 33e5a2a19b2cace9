// What the order side tells the flash sale: one of its orders was cancelled (by the shopper, on
// paying too late, or by the unpaid timeout), after the cancel committed, so the unit goes back on
// sale and the shopper may buy again. In one process the flash sale's service receives it
// directly; with the two in separate processes it crosses the wire, so it carries ids only.
#pragma once

#include <cstdint>
#include <string>

namespace gomall::ports {

class FlashSaleReturns {
public:
    virtual ~FlashSaleReturns() = default;

    /// The database side (sold decremented, reservation released) was done in the cancel's own
    /// transaction; this returns the unit to the stock gate and frees the shopper's mark. Must not
    /// block (called on the cancelling request's thread); must not throw for an unknown activity.
    virtual void order_cancelled(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) = 0;
};

}  // namespace gomall::ports
