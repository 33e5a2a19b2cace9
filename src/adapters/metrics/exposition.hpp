// The Prometheus text exposition format, version 0.0.4: what a scrape of /metrics returns.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ports/metrics.hpp"

namespace gomall::adapters::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

/// One family's values at one moment, as the writer needs them.
struct FamilySnapshot {
    struct Child {
        ports::LabelValues labels;  // in the order of label_names
        double value = 0;           // counters and gauges
        // Histograms: the count of observations <= each bound, cumulative, one per bound and one
        // more for +Inf (which is also the count), and the sum of the observations.
        std::vector<std::uint64_t> cumulative;
        double sum = 0;
    };

    std::string name;
    std::string help;
    MetricType type = MetricType::kGauge;
    ports::LabelNames label_names;
    std::vector<double> bounds;  // histograms, without +Inf
    std::vector<Child> children;
};

/// The families in the order given, each with its HELP and TYPE lines. A family without children
/// writes nothing.
std::string write_text(const std::vector<FamilySnapshot>& families);

/// A sample value or bucket bound as Prometheus parses it: shortest round-trip decimal, NaN, +Inf, -Inf.
std::string format_value(double value);

/// A label value inside its double quotes: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

/// HELP text: backslash and newline escaped (double quotes are not, in 0.0.4).
std::string escape_help(std::string_view help);

/// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name);

/// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus itself).
bool is_valid_label_name(std::string_view name);

}  // namespace gomall::adapters::metrics
