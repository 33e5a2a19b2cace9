// Builds the exporter and tracer from the tracing config.
#include "app/tracing_backend.hpp"

#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::app {

TracingBackend::TracingBackend(
    const TracingConfig& config, ports::Metrics& metrics, std::string service_version, services::CircuitBreaker* breaker
) {
    if (!config.enabled) {
        return;
    }
    adapters::otlp::ExporterSettings settings;
    settings.endpoint = config.endpoint;
    settings.queue_size = static_cast<std::size_t>(config.queue_size);
    settings.batch_size = static_cast<std::size_t>(config.batch_size);
    settings.export_interval = std::chrono::milliseconds(config.export_interval_ms);
    settings.timeout = std::chrono::milliseconds(config.timeout_ms);
    settings.resource.service_name = config.service_name;
    settings.resource.service_version = std::move(service_version);
    // One id per process run, so two instances (or a restart) are told apart in the trace view.
    settings.resource.instance_id = to_hex(random_trace_id());
    auto post = adapters::otlp::http_post(settings);
    if (breaker != nullptr) {
        post = [breaker, inner = std::move(post)](const std::string& body) -> std::optional<std::string> {
            auto call = breaker->try_call();
            if (!call) {
                return "circuit breaker open";
            }
            auto failure = inner(body);
            if (failure) {
                call->failed();
            } else {
                call->succeeded();
            }
            return failure;
        };
    }
    exporter_ = std::make_unique<adapters::otlp::OtlpExporter>(std::move(settings), metrics, std::move(post));
    tracer_ = std::make_unique<adapters::otlp::SamplingTracer>(*exporter_, config.sample_ratio);
    exporter_->start();
    spdlog::info("tracing: OTLP/HTTP to {}, sample ratio {}", config.endpoint, config.sample_ratio);
}

TracingBackend::~TracingBackend() {
    stop(std::chrono::milliseconds(0));
}

void TracingBackend::stop(std::chrono::milliseconds flush_wait) {
    if (exporter_) {
        exporter_->stop(flush_wait);
    }
}

}  // namespace gomall::app
