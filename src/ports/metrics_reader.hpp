// The read side of the metrics port: everything registered, as plain values at one moment, for
// code inside the shop that watches its own figures (the live sale dashboard) without knowing how
// the registry keeps them or in which format it exposes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ports/metrics.hpp"

namespace gomall::ports {

enum class MetricKind { kCounter, kGauge, kHistogram };

/// One family's values at one moment.
struct MetricFamilyValues {
    struct Child {
        LabelValues labels;  // in the order of the family's label_names
        double value = 0;    // counters and gauges
        // Histograms: observations <= each bound, cumulative, one per bound and a last one for
        // +Inf (which is also the count of observations); and the sum of the observations.
        std::vector<std::uint64_t> cumulative;
        double sum = 0;
    };

    std::string name;
    MetricKind kind = MetricKind::kGauge;
    LabelNames label_names;
    std::vector<double> bounds;  // histograms: finite upper bounds, +Inf implied
    std::vector<Child> children;
};

class MetricsReader {
public:
    virtual ~MetricsReader() = default;
    /// Every family that has children, with callback families read now (on the calling thread).
    virtual std::vector<MetricFamilyValues> snapshot() const = 0;
};

}  // namespace gomall::ports
