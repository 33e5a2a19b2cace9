// The flash sale running in this process: the mode's adapters (embedded or full), their metered
// and counted decorators, and the services built on them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "adapters/metrics/metered_flash_sale.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/flash_sale_order_outbox.hpp"
#include "adapters/sql/seckill_repository.hpp"
#include "app/config.hpp"
#include "app/flash_sale_part.hpp"
#include "app/seckill_backend.hpp"
#include "ports/clock.hpp"
#include "ports/flash_sale_order_intake.hpp"
#include "ports/metrics.hpp"
#include "ports/product_lookup.hpp"
#include "ports/tracer.hpp"
#include "services/counted_purchase_rate_limiter.hpp"
#include "services/flash_sale_order_relay.hpp"
#include "services/seckill_metrics.hpp"
#include "services/seckill_service.hpp"
#include "services/seckill_unit_returns.hpp"

namespace gomall::app {

class InProcessFlashSale final : public FlashSalePart {
public:
    /// Nothing connects yet. `metrics` records when config.metrics.enabled; `next_order_no` must be
    /// thread-safe; `executor` (the blocking pool's) runs the gate calls started from plain threads.
    /// With `order_intake` (services mode: the order service), orders go through the outbox and a
    /// relay to it instead of into the order tables; it must outlive this object.
    InProcessFlashSale(
        const Config& config,
        adapters::sql::Database& database,
        ports::ProductLookup& products,
        const ports::Clock& clock,
        std::function<std::string()> next_order_no,
        ports::Metrics& metrics,
        ports::Tracer& tracer,
        boost::asio::any_io_executor executor,
        ports::FlashSaleOrderIntake* order_intake = nullptr
    );

    services::FlashSaleApi api() override { return service_.api(); }
    ports::FlashSaleUnitReturns& unit_returns() override { return unit_returns_; }
    /// The gate's side of a return, for an order side in this process whose cancel releases the
    /// unit in the database itself.
    ports::FlashSaleReturns& returns() { return service_.returns(); }
    std::vector<ports::HealthCheck*> health_checks() override { return backend_->health_checks(); }
    std::vector<services::CircuitBreaker*> breakers() override { return backend_->breakers(); }
    std::string description() const override { return backend_->description(); }
    void start() override;
    void stop() override;

    services::SeckillService& service() { return service_; }

private:
    void register_relay_metrics();

    const bool metrics_enabled_;
    ports::Metrics& metrics_;
    ports::Tracer& tracer_;
    boost::asio::any_io_executor executor_;
    adapters::sql::SqlSeckillRepository repository_;
    adapters::sql::SqlFlashSaleOrderOutbox outbox_;
    std::unique_ptr<services::FlashSaleOrderRelay> relay_;  // with an order intake; before the writer that feeds it
    std::vector<ports::MetricsRegistration> relay_metrics_;
    std::unique_ptr<SeckillBackend> backend_;
    services::CountedPurchaseRateLimiter limiter_;  // the backend's limiter, its refusals counted
    ports::NullMetrics no_metrics_;                 // where the hot path records when metrics are off
    adapters::metrics::MeteredStockGate metered_gate_;
    adapters::metrics::MeteredReservationQueue metered_queue_;
    services::SeckillMetrics seckill_metrics_;
    services::SeckillService service_;
    services::SeckillUnitReturns unit_returns_;
};

}  // namespace gomall::app
