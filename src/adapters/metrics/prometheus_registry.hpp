// The metrics port kept in process memory and exposed in Prometheus' text format.
//
// Hot path: a counter's inc() is one relaxed fetch_add on the calling thread's shard of the child
// (shards are cache-line padded; a thread is dealt its shard index once, into a thread_local, so
// choosing it costs no syscall). A histogram's observe() adds one to its bucket and the value to
// the sum on that same shard line. A gauge is one padded atomic double (set() has to see one
// value, so it is not sharded). Nothing there locks or allocates.
//
// Scrape (render(), collect()): sums the shards of every child, calls the callback families, and
// writes the families sorted by name, children by label values. Registration and new children
// take a mutex; children are never removed, so the handles given out stay valid for the
// registry's lifetime.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/metrics/exposition.hpp"
#include "ports/metrics.hpp"

namespace gomall::adapters::metrics {

/// Shards per child: threads beyond this many share a shard (still exact, then contended).
inline constexpr std::size_t kShards = 16;

class PrometheusRegistry final : public ports::Metrics, public ports::MetricsExposition {
public:
    PrometheusRegistry();
    ~PrometheusRegistry() override;
    PrometheusRegistry(const PrometheusRegistry&) = delete;
    PrometheusRegistry& operator=(const PrometheusRegistry&) = delete;

    ports::CounterFamily& counter(const std::string& name, const std::string& help, const ports::LabelNames& labels)
        override;
    ports::GaugeFamily& gauge(const std::string& name, const std::string& help, const ports::LabelNames& labels)
        override;
    ports::HistogramFamily& histogram(
        const std::string& name,
        const std::string& help,
        const std::vector<double>& bounds,
        const ports::LabelNames& labels
    ) override;
    [[nodiscard]] ports::MetricsRegistration callback(
        ports::CallbackType type,
        const std::string& name,
        const std::string& help,
        const ports::LabelNames& labels,
        std::function<std::vector<ports::Sample>()> read
    ) override;

    /// kTextContentType.
    std::string content_type() const override;
    /// The text exposition of everything registered.
    std::string render() const override;
    /// The same, as values: families sorted by name, those without children left out.
    std::vector<FamilySnapshot> collect() const;

    struct State;  // shared with callback registrations, which may outlive the registry

private:
    std::shared_ptr<State> state_;
};

}  // namespace gomall::adapters::metrics
