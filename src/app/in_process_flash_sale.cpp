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
    ports::ProductRepository& products,
    const ports::Clock& clock,
    std::function<std::string()> next_order_no,
    ports::Metrics& metrics,
    ports::Tracer& tracer,
    boost::asio::any_io_executor executor
)
    : metrics_enabled_(config.metrics.enabled),
      tracer_(tracer),
      executor_(executor),
      repository_(database),
      backend_(SeckillBackend::create(config, repository_, clock, std::move(next_order_no), metrics)),
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
      ) {}

void InProcessFlashSale::start() {
    backend_->trace_with(tracer_);
    backend_->start();
    if (metrics_enabled_) {
        service_.use_metrics(seckill_metrics_);
    }
    service_.recovery().recover();
    backend_->start_background(service_, executor_);
}

}  // namespace gomall::app
