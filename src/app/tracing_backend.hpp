// Composition of tracing: with tracing.enabled, an OTLP exporter (its thread started here) behind a
// sampling tracer; otherwise a tracer that records nothing. Everything that opens spans is handed
// tracer(), and this object outlives all of them.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "adapters/otlp/otlp_exporter.hpp"
#include "adapters/otlp/sampling_tracer.hpp"
#include "app/config.hpp"
#include "ports/metrics.hpp"
#include "ports/tracer.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::app {

class TracingBackend {
public:
    /// `breaker` (optional) guards the POSTs to the collector: while it is open, batches are
    /// dropped (and counted) at once instead of each waiting for the collector's timeout.
    TracingBackend(
        const TracingConfig& config,
        ports::Metrics& metrics,
        std::string service_version,
        services::CircuitBreaker* breaker = nullptr
    );
    ~TracingBackend();
    TracingBackend(const TracingBackend&) = delete;
    TracingBackend& operator=(const TracingBackend&) = delete;

    [[nodiscard]] bool enabled() const { return exporter_ != nullptr; }
    ports::Tracer& tracer() { return tracer_ ? static_cast<ports::Tracer&>(*tracer_) : null_tracer_; }

    /// Exports what is queued for at most `flush_wait` (plus one POST's timeout), then stops.
    /// Spans ended later are dropped and counted. Idempotent.
    void stop(std::chrono::milliseconds flush_wait);

private:
    ports::NullTracer null_tracer_;
    std::unique_ptr<adapters::otlp::OtlpExporter> exporter_;
    std::unique_ptr<adapters::otlp::SamplingTracer> tracer_;
};

}  // namespace gomall::app
