// A metrics port for unit tests: keeps every child by family name and label values, so a test
// reads back what was recorded (counter totals, gauge values, histogram observations) without a
// registry or an exposition format.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ports/metrics.hpp"

namespace gomall::testing {

class RecordingMetrics final : public ports::Metrics {
public:
    struct Child final : ports::Counter, ports::Gauge, ports::Histogram {
        void inc(std::uint64_t n) override {
            const std::lock_guard lock(mutex);
            value += static_cast<double>(n);
        }
        void set(double v) override {
            const std::lock_guard lock(mutex);
            value = v;
        }
        void add(double delta) override {
            const std::lock_guard lock(mutex);
            value += delta;
        }
        void observe(double v) override {
            const std::lock_guard lock(mutex);
            observations.push_back(v);
        }
        std::mutex mutex;
        double value = 0;
        std::vector<double> observations;
    };

    struct Family {
        explicit Family(ports::LabelNames names) : label_names(std::move(names)) {}
        Child& child(const ports::LabelValues& values) {
            if (values.size() != label_names.size()) {
                throw std::invalid_argument("label count");
            }
            const std::lock_guard lock(mutex);
            auto& slot = children[values];
            if (!slot) {
                slot = std::make_unique<Child>();
            }
            return *slot;
        }
        // The port's three family types, each a view of the same children.
        struct Counters final : ports::CounterFamily {
            explicit Counters(Family& f) : family(f) {}
            ports::Counter& with(const ports::LabelValues& values) override { return family.child(values); }
            Family& family;
        };
        struct Gauges final : ports::GaugeFamily {
            explicit Gauges(Family& f) : family(f) {}
            ports::Gauge& with(const ports::LabelValues& values) override { return family.child(values); }
            Family& family;
        };
        struct Histograms final : ports::HistogramFamily {
            explicit Histograms(Family& f) : family(f) {}
            ports::Histogram& with(const ports::LabelValues& values) override { return family.child(values); }
            Family& family;
        };
        ports::LabelNames label_names;
        std::mutex mutex;
        std::map<ports::LabelValues, std::unique_ptr<Child>> children;
        Counters counters{*this};
        Gauges gauges{*this};
        Histograms histograms{*this};
    };

    ports::CounterFamily& counter(const std::string& name, const std::string& /*help*/, const ports::LabelNames& labels)
        override {
        return family(name, labels).counters;
    }
    ports::GaugeFamily& gauge(const std::string& name, const std::string& /*help*/, const ports::LabelNames& labels)
        override {
        return family(name, labels).gauges;
    }
    ports::HistogramFamily& histogram(
        const std::string& name,
        const std::string& /*help*/,
        const std::vector<double>& /*bounds*/,
        const ports::LabelNames& labels
    ) override {
        return family(name, labels).histograms;
    }
    ports::MetricsRegistration callback(
        ports::CallbackType /*type*/,
        const std::string& name,
        const std::string& /*help*/,
        const ports::LabelNames& /*labels*/,
        std::function<std::vector<ports::Sample>()> read
    ) override {
        const std::lock_guard lock(mutex_);
        callbacks_[name] = std::move(read);
        return ports::MetricsRegistration([this, name] {
            const std::lock_guard inner(mutex_);
            callbacks_.erase(name);
        });
    }

    /// The child's value (counter total, gauge value); 0 when it was never taken.
    double value(const std::string& name, const ports::LabelValues& labels = {}) {
        auto* c = find(name, labels);
        return c == nullptr ? 0 : c->value;
    }
    /// The child's observations; empty when it was never taken.
    std::vector<double> observations(const std::string& name, const ports::LabelValues& labels = {}) {
        auto* c = find(name, labels);
        return c == nullptr ? std::vector<double>{} : c->observations;
    }
    /// Every set of label values taken from the family.
    std::vector<ports::LabelValues> children(const std::string& name) {
        std::vector<ports::LabelValues> out;
        const std::lock_guard lock(mutex_);
        const auto it = families_.find(name);
        if (it != families_.end()) {
            for (const auto& [labels, child] : it->second->children) {
                out.push_back(labels);
            }
        }
        return out;
    }
    /// What the callback family reports now; empty when none is registered under the name.
    std::vector<ports::Sample> read(const std::string& name) {
        std::function<std::vector<ports::Sample>()> read;
        {
            const std::lock_guard lock(mutex_);
            const auto it = callbacks_.find(name);
            if (it == callbacks_.end()) {
                return {};
            }
            read = it->second;
        }
        return read();
    }

private:
    Family& family(const std::string& name, const ports::LabelNames& labels) {
        const std::lock_guard lock(mutex_);
        auto& slot = families_[name];
        if (!slot) {
            slot = std::make_unique<Family>(labels);
        }
        return *slot;
    }
    Child* find(const std::string& name, const ports::LabelValues& labels) {
        const std::lock_guard lock(mutex_);
        const auto it = families_.find(name);
        if (it == families_.end()) {
            return nullptr;
        }
        const auto child = it->second->children.find(labels);
        return child == it->second->children.end() ? nullptr : child->second.get();
    }

    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Family>> families_;
    std::map<std::string, std::function<std::vector<ports::Sample>()>> callbacks_;
};

}  // namespace gomall::testing
