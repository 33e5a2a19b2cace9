// Wiring of the in-process flash sale.
#include "app/in_process_flash_sale.hpp"

#include <utility>

#include "services/rate_limit_metrics.hpp"

namespace gomall::app {
namespace {

services::SeckillSettings seckill_settings(const SeckillConfig& c) {
    services::SeckillSettings s;
    s.token_required = c.token_required;
    s.token_ttl = std::chrono::seconds(c.token_ttl_seconds);
    return s;
}

}  // namespace

InProcessFlashSale::InProcessFlashSale(
    const Config& config,
    adapters::sql::Database& database,
    ports::ProductLookup& products,
    const ports::Clock& clock,
    std::function<std::string()> next_order_no,
    ports::Metrics& metrics,
    ports::Tracer& tracer,
    boost::asio::any_io_executor executor,
    ports::FlashSaleOrderIntake* order_intake
)
    : metrics_enabled_(config.metrics.enabled),
      metrics_(metrics),
      tracer_(tracer),
      executor_(executor),
      repository_(
          database,
          order_intake ? adapters::sql::FlashSaleOrders::kToOutbox : adapters::sql::FlashSaleOrders::kWrittenHere
      ),
      outbox_(database),
      relay_(order_intake ? std::make_unique<services::FlashSaleOrderRelay>(outbox_, *order_intake, clock) : nullptr),
      backend_(SeckillBackend::create(
          config,
          repository_,
          clock,
          std::move(next_order_no),
          metrics,
          relay_ ? services::SeckillOrderWriter::AfterWrite([&relay = *relay_](std::vector<domain::Reservation>& batch
                                                            ) { relay.hand_over(batch); })
                 : services::SeckillOrderWriter::AfterWrite{}
      )),
      limiter_(backend_->limiter(), services::rate_limited_counter(metrics, "seckill")),
      metered_gate_(
          backend_->gate(),
          metrics_enabled_ ? metrics : static_cast<ports::Metrics&>(no_metrics_),
          config.seckill.mode == "full" ? "redis" : "memory"
      ),
      metered_queue_(
          backend_->queue(),
          metrics_enabled_ ? metrics : static_cast<ports::Metrics&>(no_metrics_),
          config.seckill.mode == "full" ? "broker" : "group_commit"
      ),
      seckill_metrics_(metrics),
      service_(
          repository_,
          products,
          metered_gate_,
          metered_queue_,
          limiter_,
          backend_->token_store(),
          clock,
          seckill_settings(config.seckill),
          std::move(executor)
      ),
      unit_returns_(repository_, service_.returns(), clock) {}

void InProcessFlashSale::start() {
    backend_->trace_with(tracer_);
    backend_->start();
    if (metrics_enabled_) {
        service_.use_metrics(seckill_metrics_);
    }
    service_.recovery().recover();
    backend_->start_background(service_, executor_);
    if (relay_) {
        relay_->start();
        if (metrics_enabled_) {
            register_relay_metrics();
        }
    }
}

void InProcessFlashSale::stop() {
    backend_->stop();  // the last batches are written (and shown to the relay) first
    if (relay_) {
        relay_->stop();  // what it had not sent waits in the outbox for the next relay
    }
}

void InProcessFlashSale::register_relay_metrics() {
    const auto counter = [this](const char* name, const char* help, const std::atomic<std::uint64_t>& value) {
        relay_metrics_.push_back(metrics_.callback(ports::CallbackType::kCounter, name, help, {}, [&value] {
            return std::vector<ports::Sample>{{{}, static_cast<double>(value.load(std::memory_order_relaxed))}};
        }));
    };
    counter(
        "gomall_flash_sale_orders_handed_over_total",
        "Flash-sale orders the order service took from this instance's outbox relay.",
        relay_->counters().handed_over
    );
    counter(
        "gomall_flash_sale_order_relay_failures_total",
        "Calls of the outbox relay the order service did not answer or refused (the orders wait).",
        relay_->counters().failed_calls
    );
    counter(
        "gomall_flash_sale_orders_set_aside_total",
        "Flash-sale orders the order service refused as malformed, set aside in the outbox for an operator.",
        relay_->counters().set_aside
    );
}

}  // namespace gomall::app
