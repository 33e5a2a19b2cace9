// The flash sale's mode-specific adapters, chosen by seckill.mode: everything in process
// (embedded) or Redis + RabbitMQ shared by every instance (full). The service sees only the ports.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/database_health.hpp"
#include "ports/metrics.hpp"
#include "ports/purchase_rate_limiter.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/seckill_token_store.hpp"
#include "ports/stock_gate.hpp"
#include "ports/tracer.hpp"
#include "services/seckill_order_writer.hpp"

namespace gomall::services {
class SeckillService;
class CircuitBreaker;
}  // namespace gomall::services

namespace gomall::app {

class SeckillBackend {
public:
    virtual ~SeckillBackend() = default;

    /// Builds the adapters of `config.seckill.mode`; nothing connects yet. `next_order_no` is
    /// called from the order-writing threads and must be thread-safe; so is `after_write` (see
    /// SeckillOrderWriter), when given.
    static std::unique_ptr<SeckillBackend> create(
        const Config& config,
        ports::SeckillRepository& repository,
        const ports::Clock& clock,
        std::function<std::string()> next_order_no,
        ports::Metrics& metrics,
        services::SeckillOrderWriter::AfterWrite after_write = {}
    );

    virtual ports::StockGate& gate() = 0;
    virtual ports::ReservationQueue& queue() = 0;
    virtual ports::PurchaseRateLimiter& limiter() = 0;
    /// Where anti-bot tokens wait between issue and purchase.
    virtual ports::SeckillTokenStore& token_store() = 0;
    /// Readiness probes of the servers this mode depends on (none in embedded mode).
    virtual std::vector<ports::HealthCheck*> health_checks() = 0;
    /// Circuit breakers in front of those servers (none in embedded mode, or with breakers off).
    virtual std::vector<services::CircuitBreaker*> breakers() { return {}; }
    /// One line for the startup log.
    virtual std::string description() const = 0;

    /// Spans of this mode's stores, queue and background work come from `tracer` (which must
    /// outlive the backend). Before start().
    virtual void trace_with(ports::Tracer& tracer) = 0;
    /// Starts connections and writer threads. Before the service recovers its activities.
    virtual void start() = 0;
    /// After the service has recovered: background repair work (the full mode's reconciler).
    /// `executor` runs the asynchronous calls it waits for.
    virtual void start_background(services::SeckillService& service, boost::asio::any_io_executor executor) = 0;
    /// After the HTTP server stopped: stops the background work, drains the queue, closes links.
    virtual void stop() = 0;
};

}  // namespace gomall::app
