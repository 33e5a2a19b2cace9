// The flash sale as the rest of the composition sees it: the four interfaces the HTTP layer is
// handed, where the order service returns the units of cancelled flash-sale orders, and what /ready
// and the breaker listing report. In process (the single process and the seckill role) or over
// gRPC (the gateway and the order role).
#pragma once

#include <string>
#include <vector>

#include "ports/database_health.hpp"
#include "ports/flash_sale_unit_returns.hpp"
#include "services/circuit_breaker.hpp"
#include "services/flash_sale_api.hpp"

namespace gomall::app {

class FlashSalePart {
public:
    virtual ~FlashSalePart() = default;

    virtual services::FlashSaleApi api() = 0;
    /// Where an order service of its own returns the unit of a cancelled or expired flash-sale
    /// order (services mode). In one process the order's cancel does it in its own transaction.
    virtual ports::FlashSaleUnitReturns& unit_returns() = 0;
    /// Readiness probes of what the flash sale depends on.
    virtual std::vector<ports::HealthCheck*> health_checks() = 0;
    virtual std::vector<services::CircuitBreaker*> breakers() = 0;
    /// One line for the startup log.
    virtual std::string description() const = 0;

    /// After the database is migrated: connects, recovers and starts background work.
    virtual void start() = 0;
    /// After the HTTP server (and any gRPC server) stopped, before the blocking pool is joined.
    virtual void stop() = 0;
};

}  // namespace gomall::app
