#include "adapters/metrics/prometheus_registry.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::adapters::metrics {
namespace {

constexpr std::size_t kCacheLine = 64;
constexpr std::size_t kCellsPerLine = kCacheLine / sizeof(std::atomic<std::uint64_t>);
constexpr unsigned kUnassigned = ~0U;

// Which shard the calling thread records into. Not a service but a thread's number: dealt
// round-robin the first time a thread records anything, then one thread_local load (constant
// initialised, so no guard and no call).
std::atomic<unsigned> next_shard{0};
thread_local unsigned this_thread_shard = kUnassigned;

std::size_t shard_index() noexcept {
    if (this_thread_shard == kUnassigned) [[unlikely]] {
        this_thread_shard = next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
    }
    return this_thread_shard;
}

// `cells` 64-bit atomic cells per shard, each shard on cache lines of its own.
class ShardedCells {
public:
    explicit ShardedCells(std::size_t cells)
        : lines_per_shard_((cells + kCellsPerLine - 1) / kCellsPerLine),
          lines_(std::make_unique<Line[]>(lines_per_shard_ * kShards)) {}

    std::atomic<std::uint64_t>& at(std::size_t shard, std::size_t cell) noexcept {
        return lines_[shard * lines_per_shard_ + cell / kCellsPerLine].cells[cell % kCellsPerLine];
    }
    const std::atomic<std::uint64_t>& at(std::size_t shard, std::size_t cell) const noexcept {
        return lines_[shard * lines_per_shard_ + cell / kCellsPerLine].cells[cell % kCellsPerLine];
    }

    std::uint64_t total(std::size_t cell) const noexcept {
        std::uint64_t sum = 0;
        for (std::size_t shard = 0; shard < kShards; ++shard) {
            sum += at(shard, cell).load(std::memory_order_relaxed);
        }
        return sum;
    }

    // Cells holding the bits of a double (a histogram's sum).
    double total_double(std::size_t cell) const noexcept {
        double sum = 0;
        for (std::size_t shard = 0; shard < kShards; ++shard) {
            sum += std::bit_cast<double>(at(shard, cell).load(std::memory_order_relaxed));
        }
        return sum;
    }

    static void add_double(std::atomic<std::uint64_t>& cell, double value) noexcept {
        // The shard is (nearly always) this thread's alone, so the exchange succeeds first time.
        std::uint64_t old = cell.load(std::memory_order_relaxed);
        while (!cell.compare_exchange_weak(
            old, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + value), std::memory_order_relaxed
        )) {
        }
    }

private:
    struct alignas(kCacheLine) Line {
        std::array<std::atomic<std::uint64_t>, kCellsPerLine> cells{};
    };

    std::size_t lines_per_shard_;
    std::unique_ptr<Line[]> lines_;
};

class CounterChild final : public ports::Counter {
public:
    void inc(std::uint64_t n = 1) override { cells_.at(shard_index(), 0).fetch_add(n, std::memory_order_relaxed); }
    void read(FamilySnapshot::Child& out) const { out.value = static_cast<double>(cells_.total(0)); }

private:
    ShardedCells cells_{1};
};

class GaugeChild final : public ports::Gauge {
public:
    void set(double value) override { value_.store(value, std::memory_order_relaxed); }
    void add(double delta) override { value_.fetch_add(delta, std::memory_order_relaxed); }
    void read(FamilySnapshot::Child& out) const { out.value = value_.load(std::memory_order_relaxed); }

private:
    alignas(kCacheLine) std::atomic<double> value_{0};
};

class HistogramChild final : public ports::Histogram {
public:
    // Cells per shard: one per bound, one for +Inf, one for the sum's bits.
    explicit HistogramChild(std::vector<double> bounds)
        : bounds_(std::move(bounds)), sum_cell_(bounds_.size() + 1), cells_(bounds_.size() + 2) {}

    void observe(double value) override {
        if (std::isnan(value)) {
            return;
        }
        // The first bound >= value (buckets are "less than or equal"); past the end is +Inf.
        const auto bucket =
            static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
        const std::size_t shard = shard_index();
        cells_.at(shard, bucket).fetch_add(1, std::memory_order_relaxed);
        ShardedCells::add_double(cells_.at(shard, sum_cell_), value);
    }

    void read(FamilySnapshot::Child& out) const {
        out.cumulative.resize(bounds_.size() + 1);
        std::uint64_t running = 0;
        for (std::size_t i = 0; i <= bounds_.size(); ++i) {
            running += cells_.total(i);
            out.cumulative[i] = running;
        }
        out.sum = cells_.total_double(sum_cell_);
    }

private:
    std::vector<double> bounds_;
    std::size_t sum_cell_;
    ShardedCells cells_;
};

class FamilyBase {
public:
    FamilyBase(
        std::string name, std::string help, MetricType type, ports::LabelNames labels, std::vector<double> bounds
    )
        : shape_{std::move(name), std::move(help), type, std::move(labels), std::move(bounds), {}} {}
    virtual ~FamilyBase() = default;
    FamilyBase(const FamilyBase&) = delete;
    FamilyBase& operator=(const FamilyBase&) = delete;

    bool same_shape(MetricType type, const ports::LabelNames& labels, const std::vector<double>& bounds) const {
        return shape_.type == type && shape_.label_names == labels && shape_.bounds == bounds;
    }
    MetricType type() const { return shape_.type; }

    FamilySnapshot snapshot() const {
        FamilySnapshot snapshot = shape_;
        append_children(snapshot.children);
        return snapshot;
    }

protected:
    const FamilySnapshot& shape() const { return shape_; }
    void check_arity(const ports::LabelValues& values) const {
        if (values.size() != shape_.label_names.size()) {
            throw std::invalid_argument(
                "metrics: " + shape_.name + " has " + std::to_string(shape_.label_names.size()) + " label(s), given " +
                std::to_string(values.size()) + " value(s)"
            );
        }
    }
    virtual void append_children(std::vector<FamilySnapshot::Child>& out) const = 0;

private:
    FamilySnapshot shape_;  // without children
};

template <class Child, class Interface>
class Family final : public Interface, public FamilyBase {
public:
    using FamilyBase::FamilyBase;

    Child& with(const ports::LabelValues& values) override {
        check_arity(values);
        const std::lock_guard lock(mutex_);
        auto& child = children_[values];
        if (!child) {
            if constexpr (std::is_same_v<Child, HistogramChild>) {
                child = std::make_unique<Child>(shape().bounds);
            } else {
                child = std::make_unique<Child>();
            }
        }
        return *child;
    }

private:
    void append_children(std::vector<FamilySnapshot::Child>& out) const override {
        const std::lock_guard lock(mutex_);
        out.reserve(children_.size());
        for (const auto& [labels, child] : children_) {
            FamilySnapshot::Child sample;
            sample.labels = labels;
            child->read(sample);
            out.push_back(std::move(sample));
        }
    }

    mutable std::mutex mutex_;
    std::map<ports::LabelValues, std::unique_ptr<Child>> children_;  // never erased: handles stay valid
};

using CounterFamilyImpl = Family<CounterChild, ports::CounterFamily>;
using GaugeFamilyImpl = Family<GaugeChild, ports::GaugeFamily>;
using HistogramFamilyImpl = Family<HistogramChild, ports::HistogramFamily>;

struct CallbackEntry {
    FamilySnapshot shape;                              // without children
    std::mutex mutex;                                  // held while `read` runs and when it is dropped
    std::function<std::vector<ports::Sample>()> read;  // empty once the registration is dropped
};

// Every sample name a family writes: a histogram's three, and its own name (its TYPE line).
std::vector<std::string> sample_names(const std::string& name, MetricType type) {
    if (type == MetricType::kHistogram) {
        return {name, name + "_bucket", name + "_sum", name + "_count"};
    }
    return {name};
}

void validate(
    const std::string& name, MetricType type, const ports::LabelNames& labels, const std::vector<double>& bounds
) {
    if (!is_valid_metric_name(name)) {
        throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
    }
    if (type == MetricType::kCounter && !std::string_view(name).ends_with("_total")) {
        throw std::invalid_argument("metrics: counter '" + name + "' must end in _total");
    }
    std::set<std::string_view> seen;
    for (const auto& label : labels) {
        if (!is_valid_label_name(label)) {
            throw std::invalid_argument("metrics: " + name + ": invalid label name '" + label + "'");
        }
        if (type == MetricType::kHistogram && label == "le") {
            throw std::invalid_argument("metrics: " + name + ": a histogram cannot have a label named le");
        }
        if (!seen.insert(label).second) {
            throw std::invalid_argument("metrics: " + name + ": label '" + label + "' given twice");
        }
    }
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
            throw std::invalid_argument(
                "metrics: " + name + ": bucket bounds must be finite and strictly increasing (+Inf is implied)"
            );
        }
    }
}

}  // namespace

struct PrometheusRegistry::State {
    std::mutex mutex;                                             // guards the three maps
    std::map<std::string, std::unique_ptr<FamilyBase>> families;  // never erased
    std::map<std::string, std::shared_ptr<CallbackEntry>> callbacks;
    std::map<std::string, std::string> taken;  // every sample name in use -> its family

    // Throws unless every sample name of the new family is free. Under `mutex`.
    void reserve(const std::string& name, MetricType type) {
        const auto names = sample_names(name, type);
        for (const auto& sample : names) {
            if (const auto it = taken.find(sample); it != taken.end()) {
                throw std::invalid_argument(
                    "metrics: '" + name + "' collides with the family '" + it->second + "' already registered"
                );
            }
        }
        for (const auto& sample : names) {
            taken.emplace(sample, name);
        }
    }

    template <class Impl>
    Impl& family(
        const std::string& name,
        const std::string& help,
        MetricType type,
        const ports::LabelNames& labels,
        const std::vector<double>& bounds
    ) {
        validate(name, type, labels, bounds);
        const std::lock_guard lock(mutex);
        if (const auto it = families.find(name); it != families.end()) {
            if (!it->second->same_shape(type, labels, bounds)) {
                throw std::invalid_argument(
                    "metrics: '" + name + "' is already registered with another type, labels or buckets"
                );
            }
            return static_cast<Impl&>(*it->second);
        }
        reserve(name, type);
        auto created = std::make_unique<Impl>(name, help, type, labels, bounds);
        Impl& result = *created;
        families.emplace(name, std::move(created));
        if (labels.empty()) {
            result.with({});  // the one child, so that it is exposed (as 0) from the start
        }
        return result;
    }
};

PrometheusRegistry::PrometheusRegistry() : state_(std::make_shared<State>()) {}

PrometheusRegistry::~PrometheusRegistry() = default;

ports::CounterFamily& PrometheusRegistry::counter(
    const std::string& name, const std::string& help, const ports::LabelNames& labels
) {
    return state_->family<CounterFamilyImpl>(name, help, MetricType::kCounter, labels, {});
}

ports::GaugeFamily& PrometheusRegistry::gauge(
    const std::string& name, const std::string& help, const ports::LabelNames& labels
) {
    return state_->family<GaugeFamilyImpl>(name, help, MetricType::kGauge, labels, {});
}

ports::HistogramFamily& PrometheusRegistry::histogram(
    const std::string& name, const std::string& help, const std::vector<double>& bounds, const ports::LabelNames& labels
) {
    return state_->family<HistogramFamilyImpl>(name, help, MetricType::kHistogram, labels, bounds);
}

ports::MetricsRegistration PrometheusRegistry::callback(
    ports::CallbackType type,
    const std::string& name,
    const std::string& help,
    const ports::LabelNames& labels,
    std::function<std::vector<ports::Sample>()> read
) {
    if (!read) {
        throw std::invalid_argument("metrics: " + name + ": no callback given");
    }
    const MetricType metric_type = type == ports::CallbackType::kCounter ? MetricType::kCounter : MetricType::kGauge;
    validate(name, metric_type, labels, {});
    auto entry = std::make_shared<CallbackEntry>();
    entry->shape = FamilySnapshot{name, help, metric_type, labels, {}, {}};
    entry->read = std::move(read);
    {
        const std::lock_guard lock(state_->mutex);
        state_->reserve(name, metric_type);
        state_->callbacks.emplace(name, entry);
    }
    return ports::MetricsRegistration([weak = std::weak_ptr<State>(state_), entry] {
        if (const auto state = weak.lock()) {
            const std::lock_guard lock(state->mutex);
            const auto it = state->callbacks.find(entry->shape.name);
            if (it != state->callbacks.end() && it->second == entry) {
                state->callbacks.erase(it);
                for (const auto& sample : sample_names(entry->shape.name, entry->shape.type)) {
                    state->taken.erase(sample);
                }
            }
        }
        std::function<std::vector<ports::Sample>()> dropped;
        {
            const std::lock_guard lock(entry->mutex);  // waits for a scrape that is reading it
            dropped.swap(entry->read);
        }
    });
}

std::string PrometheusRegistry::content_type() const {
    return std::string(kTextContentType);
}

std::string PrometheusRegistry::render() const {
    return write_text(collect());
}

std::vector<FamilySnapshot> PrometheusRegistry::collect() const {
    std::vector<const FamilyBase*> families;
    std::vector<std::shared_ptr<CallbackEntry>> callbacks;
    {
        const std::lock_guard lock(state_->mutex);
        families.reserve(state_->families.size());
        for (const auto& [name, family] : state_->families) {
            families.push_back(family.get());
        }
        callbacks.reserve(state_->callbacks.size());
        for (const auto& [name, entry] : state_->callbacks) {
            callbacks.push_back(entry);
        }
    }
    // Read outside the registry's lock: a callback may take locks of its own owner, who may be
    // registering a child at that moment.
    std::vector<FamilySnapshot> out;
    out.reserve(families.size() + callbacks.size());
    for (const auto* family : families) {
        out.push_back(family->snapshot());
    }
    for (const auto& entry : callbacks) {
        FamilySnapshot snapshot = entry->shape;
        std::vector<ports::Sample> samples;
        {
            const std::lock_guard lock(entry->mutex);
            if (!entry->read) {
                continue;  // dropped meanwhile
            }
            try {
                samples = entry->read();
            } catch (const std::exception& e) {
                spdlog::warn("metrics: the callback of {} failed: {}", snapshot.name, e.what());
                continue;
            }
        }
        for (auto& sample : samples) {
            if (sample.labels.size() != snapshot.label_names.size()) {
                spdlog::warn(
                    "metrics: the callback of {} gave a sample with the wrong number of labels", snapshot.name
                );
                continue;
            }
            snapshot.children.push_back({std::move(sample.labels), sample.value, {}, 0});
        }
        // Sorted like the other families' children; a set of label values given twice is kept once.
        std::stable_sort(snapshot.children.begin(), snapshot.children.end(), [](const auto& a, const auto& b) {
            return a.labels < b.labels;
        });
        snapshot.children.erase(
            std::unique(
                snapshot.children.begin(),
                snapshot.children.end(),
                [](const auto& a, const auto& b) { return a.labels == b.labels; }
            ),
            snapshot.children.end()
        );
        out.push_back(std::move(snapshot));
    }
    std::erase_if(out, [](const FamilySnapshot& family) { return family.children.empty(); });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

}  // namespace gomall::adapters::metrics
