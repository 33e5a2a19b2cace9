// The seckill service's side of giving back the unit of a cancelled flash-sale order (services
// mode): the reservation and the unit released in the flash sale's tables, then the unit put back
// on sale in the gate and the shopper's mark freed, as the in-process return does after the
// order's own cancel transaction in one process.
#pragma once

#include "ports/clock.hpp"
#include "ports/flash_sale_returns.hpp"
#include "ports/flash_sale_unit_returns.hpp"
#include "ports/seckill_repository.hpp"

namespace gomall::services {

/// Thread-safe as far as its parts are; return_unit() blocks on the database.
class SeckillUnitReturns final : public ports::FlashSaleUnitReturns {
public:
    /// `gate_side` is the in-process return (SeckillResultService): gate and results.
    SeckillUnitReturns(
        ports::SeckillRepository& repository, ports::FlashSaleReturns& gate_side, const ports::Clock& clock
    )
        : repository_(repository), gate_side_(gate_side), clock_(clock) {}

    /// Only the call that released the reservation returns the unit to the gate, so a return sent
    /// again (its answer was lost) never puts a second unit on sale. A crash between the two
    /// leaves the gate one unit short until the reconciler rebuilds it from the database.
    Result<bool> return_unit(const std::string& order_no) override;

private:
    ports::SeckillRepository& repository_;
    ports::FlashSaleReturns& gate_side_;
    const ports::Clock& clock_;
};

}  // namespace gomall::services
