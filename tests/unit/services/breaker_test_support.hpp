// What the circuit breaker tests share: a clock that moves only when told (from any thread), and a
// metrics port that remembers the last value of every gauge and the total of every counter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/time.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"

namespace gomall::services::breaker_test {

class StepClock final : public ports::Clock {
public:
    TimePoint now() const override { return TimePoint{std::chrono::nanoseconds(nanos_.load())}; }
    void advance(std::chrono::nanoseconds by) { nanos_ += by.count(); }

private:
    std::atomic<std::int64_t> nanos_{std::chrono::nanoseconds(std::chrono::seconds(1'800'000'000)).count()};
};

/// Values keyed "name{v1,v2}". Thread-safe enough for the tests (a mutex per value change).
class RecordingMetrics final : public ports::Metrics {
public:
    double value(const std::string& name, const ports::LabelValues& labels) {
        const std::lock_guard lock(mutex_);
        const auto it = values_.find(key(name, labels));
        return it == values_.end() ? -1 : it->second;
    }

    ports::CounterFamily& counter(const std::string& name, const std::string&, const ports::LabelNames&) override {
        return family(name);
    }
    ports::GaugeFamily& gauge(const std::string& name, const std::string&, const ports::LabelNames&) override {
        return family(name);
    }
    ports::HistogramFamily&
    histogram(const std::string& name, const std::string&, const std::vector<double>&, const ports::LabelNames&)
        override {
        return family(name);
    }
    ports::MetricsRegistration
    callback(ports::CallbackType, const std::string&, const std::string&, const ports::LabelNames&, std::function<std::vector<ports::Sample>()>)
        override {
        return {};
    }

private:
    struct Child final : ports::Counter, ports::Gauge, ports::Histogram {
        Child(RecordingMetrics& owner, std::string key) : owner_(owner), key_(std::move(key)) {}
        void inc(std::uint64_t n) override { owner_.add(key_, static_cast<double>(n)); }
        void set(double v) override { owner_.put(key_, v); }
        void add(double d) override { owner_.add(key_, d); }
        void observe(double) override {}
        RecordingMetrics& owner_;
        std::string key_;
    };
    struct Family final : ports::CounterFamily, ports::GaugeFamily, ports::HistogramFamily {
        Family(RecordingMetrics& owner, std::string name) : owner_(owner), name_(std::move(name)) {}
        Child& with(const ports::LabelValues& values) override {
            const std::lock_guard lock(owner_.mutex_);
            auto& child = children_[values];
            if (!child) {
                child = std::make_unique<Child>(owner_, key(name_, values));
                owner_.values_.emplace(key(name_, values), 0);
            }
            return *child;
        }
        RecordingMetrics& owner_;
        std::string name_;
        std::map<ports::LabelValues, std::unique_ptr<Child>> children_;
    };

    static std::string key(const std::string& name, const ports::LabelValues& labels) {
        std::string k = name + "{";
        for (const auto& v : labels) {
            k += v + ",";
        }
        return k + "}";
    }
    Family& family(const std::string& name) {
        const std::lock_guard lock(mutex_);
        auto& f = families_[name];
        if (!f) {
            f = std::make_unique<Family>(*this, name);
        }
        return *f;
    }
    void put(const std::string& k, double v) {
        const std::lock_guard lock(mutex_);
        values_[k] = v;
    }
    void add(const std::string& k, double d) {
        const std::lock_guard lock(mutex_);
        values_[k] += d;
    }

    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Family>> families_;
    std::map<std::string, double> values_;
};

}  // namespace gomall::services::breaker_test
