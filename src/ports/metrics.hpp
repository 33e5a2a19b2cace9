// The metrics port: services and adapters record facts (a request served, a unit sold, a wait
// measured) through it and know nothing of how they are exposed. The Prometheus registry
// (adapters/metrics) implements it; NullMetrics drops everything, for tests and when metrics are off.
//
// Use: register a family once, at wiring time, with its name, help and FIXED label names; take
// each labelled child once as a handle and keep the reference; record through the handle on the
// hot path (no lookup, no lock, no allocation there).
//
//     auto& requests = metrics.counter("gomall_http_requests_total", "HTTP requests answered.",
//                                      {"route", "method", "status"});
//     ports::Counter& product_ok = requests.with({"/api/product/:id", "GET", "200"});
//     ...
//     product_ok.inc();
//
// Label values must come from a small, bounded set (route templates, never raw paths; activity
// ids, never user ids): every distinct set of values is a child kept for the registry's lifetime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace gomall::ports {

using LabelNames = std::vector<std::string>;
using LabelValues = std::vector<std::string>;

/// A value that only goes up (requests, bytes, errors). Thread-safe, never blocks.
class Counter {
public:
    virtual ~Counter() = default;
    virtual void inc(std::uint64_t n = 1) = 0;
};

/// A value that goes up and down (in flight, queue depth, units left). Thread-safe, never blocks.
class Gauge {
public:
    virtual ~Gauge() = default;
    virtual void set(double value) = 0;
    virtual void add(double delta) = 0;
};

/// A distribution over the bucket bounds fixed at registration (latency in seconds, sizes).
/// Thread-safe, never blocks. A NaN observation is dropped.
class Histogram {
public:
    virtual ~Histogram() = default;
    virtual void observe(double value) = 0;
};

/// A registered family: one child per distinct set of label values, in the order of the label
/// names given at registration. with() takes a lock and may allocate: call it at wiring time (or
/// once per new activity), keep the reference, which stays valid for the registry's lifetime.
/// Throws std::invalid_argument when the number of values differs from the number of names.
class CounterFamily {
public:
    virtual ~CounterFamily() = default;
    virtual Counter& with(const LabelValues& values) = 0;
};

class GaugeFamily {
public:
    virtual ~GaugeFamily() = default;
    virtual Gauge& with(const LabelValues& values) = 0;
};

class HistogramFamily {
public:
    virtual ~HistogramFamily() = default;
    virtual Histogram& with(const LabelValues& values) = 0;
};

/// One value a callback reports at scrape time, with its label values (in label-name order).
struct Sample {
    LabelValues labels;
    double value = 0;
};

/// What a callback family reports as: a gauge (queue depth, resident memory) or a counter whose
/// running total someone else keeps (CPU seconds).
enum class CallbackType { kGauge, kCounter };

/// Keeps a callback family registered; dropping it (destruction or reset()) removes the family,
/// and waits for a scrape that is running the callback to finish with it. So: do not drop it
/// while holding a lock the callback takes. Move-only.
class MetricsRegistration {
public:
    MetricsRegistration() = default;
    explicit MetricsRegistration(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    MetricsRegistration(const MetricsRegistration&) = delete;
    MetricsRegistration& operator=(const MetricsRegistration&) = delete;
    MetricsRegistration(MetricsRegistration&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
    MetricsRegistration& operator=(MetricsRegistration&& other) noexcept {
        if (this != &other) {
            reset();
            cancel_ = std::exchange(other.cancel_, nullptr);
        }
        return *this;
    }
    ~MetricsRegistration() { reset(); }

    void reset() noexcept {
        if (auto cancel = std::exchange(cancel_, nullptr)) {
            cancel();
        }
    }

private:
    std::function<void()> cancel_;
};

/// The registry. Registration is thread-safe and may happen at any time, but belongs at wiring.
///
/// Names: [a-zA-Z_:][a-zA-Z0-9_:]*, counters ending in `_total`; label names:
/// [a-zA-Z_][a-zA-Z0-9_]*, not starting with `__`, distinct, and not `le` for a histogram; bucket
/// bounds finite and strictly increasing (+Inf is implied). Anything else throws
/// std::invalid_argument. Registering a name again with the same type, label names (and bounds)
/// returns the family already registered; with anything different, it throws.
class Metrics {
public:
    virtual ~Metrics() = default;

    virtual CounterFamily& counter(const std::string& name, const std::string& help, const LabelNames& labels) = 0;
    virtual GaugeFamily& gauge(const std::string& name, const std::string& help, const LabelNames& labels) = 0;
    virtual HistogramFamily& histogram(
        const std::string& name, const std::string& help, const std::vector<double>& bounds, const LabelNames& labels
    ) = 0;

    /// A family whose samples `read` returns at each scrape, on the scraping thread: for values
    /// someone else already keeps (a queue's depth, the units left per activity). `read` must be
    /// quick, must not register metrics, and must report each set of label values at most once.
    /// The family exists while the returned registration is kept.
    [[nodiscard]] virtual MetricsRegistration callback(
        CallbackType type,
        const std::string& name,
        const std::string& help,
        const LabelNames& labels,
        std::function<std::vector<Sample>()> read
    ) = 0;

    /// A single unlabelled gauge read at scrape time.
    [[nodiscard]] MetricsRegistration callback_gauge(
        const std::string& name, const std::string& help, std::function<double()> read
    ) {
        return callback(CallbackType::kGauge, name, help, {}, [read = std::move(read)] {
            return std::vector<Sample>{Sample{{}, read()}};
        });
    }
};

/// Where the exposition of everything registered is read (the /metrics route), in whatever format
/// the implementation speaks; content_type() names it.
class MetricsExposition {
public:
    virtual ~MetricsExposition() = default;
    virtual std::string content_type() const = 0;
    virtual std::string render() const = 0;
};

/// Bucket bounds `start, start*factor, ...` (`count` of them), for latencies and sizes.
inline std::vector<double> exponential_buckets(double start, double factor, int count) {
    std::vector<double> bounds;
    bounds.reserve(count > 0 ? static_cast<std::size_t>(count) : 0);
    for (double bound = start; count-- > 0; bound *= factor) {
        bounds.push_back(bound);
    }
    return bounds;
}

/// Bucket bounds `start, start+width, ...` (`count` of them).
inline std::vector<double> linear_buckets(double start, double width, int count) {
    std::vector<double> bounds;
    bounds.reserve(count > 0 ? static_cast<std::size_t>(count) : 0);
    for (int i = 0; i < count; ++i) {
        bounds.push_back(start + width * i);
    }
    return bounds;
}

/// Latency buckets in seconds, 0.5 ms to 10 s: request handling, a SQL call, a Redis command.
inline std::vector<double> latency_seconds_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

/// Records nothing: for tests and when metrics are off. Every family hands out one shared no-op
/// child; nothing is validated.
class NullMetrics final : public Metrics {
public:
    CounterFamily& counter(const std::string& /*name*/, const std::string& /*help*/, const LabelNames& /*labels*/)
        override {
        return counters_;
    }
    GaugeFamily& gauge(const std::string& /*name*/, const std::string& /*help*/, const LabelNames& /*labels*/)
        override {
        return gauges_;
    }
    HistogramFamily& histogram(
        const std::string& /*name*/,
        const std::string& /*help*/,
        const std::vector<double>& /*bounds*/,
        const LabelNames& /*labels*/
    ) override {
        return histograms_;
    }
    MetricsRegistration callback(
        CallbackType /*type*/,
        const std::string& /*name*/,
        const std::string& /*help*/,
        const LabelNames& /*labels*/,
        std::function<std::vector<Sample>()> /*read*/
    ) override {
        return {};
    }

private:
    struct NoCounter final : Counter, CounterFamily {
        void inc(std::uint64_t /*n*/) override {}
        Counter& with(const LabelValues& /*values*/) override { return *this; }
    };
    struct NoGauge final : Gauge, GaugeFamily {
        void set(double /*value*/) override {}
        void add(double /*delta*/) override {}
        Gauge& with(const LabelValues& /*values*/) override { return *this; }
    };
    struct NoHistogram final : Histogram, HistogramFamily {
        void observe(double /*value*/) override {}
        Histogram& with(const LabelValues& /*values*/) override { return *this; }
    };

    NoCounter counters_;
    NoGauge gauges_;
    NoHistogram histograms_;
};

}  // namespace gomall::ports
