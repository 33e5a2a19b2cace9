// Returning a cancelled flash-sale order's unit: database first, then the gate.
#include "services/seckill_unit_returns.hpp"

namespace gomall::services {

Result<bool> SeckillUnitReturns::return_unit(const std::string& order_no) {
    const auto released = repository_.release_order(order_no, clock_.now());
    if (!released) {
        return false;
    }
    gate_side_.order_cancelled(released->activity_id, released->user_id, order_no);
    return true;
}

}  // namespace gomall::services
