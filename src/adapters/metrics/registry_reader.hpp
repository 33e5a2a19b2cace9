// ports::MetricsReader over the in-process Prometheus registry: its collect() as plain values.
#pragma once

#include <vector>

#include "adapters/metrics/prometheus_registry.hpp"
#include "ports/metrics_reader.hpp"

namespace gomall::adapters::metrics {

class RegistryReader final : public ports::MetricsReader {
public:
    /// `registry` must outlive the reader.
    explicit RegistryReader(const PrometheusRegistry& registry) : registry_(registry) {}

    std::vector<ports::MetricFamilyValues> snapshot() const override;

private:
    const PrometheusRegistry& registry_;
};

}  // namespace gomall::adapters::metrics
