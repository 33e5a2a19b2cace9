// Background worker that takes a metrics snapshot every sample interval and hands it to the sale
// dashboard, so its history fills on its own clock whether or not anybody is watching.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "ports/clock.hpp"
#include "ports/metrics_reader.hpp"
#include "services/sale_dashboard.hpp"

namespace gomall::services {

class DashboardSampler {
public:
    /// All three must outlive the sampler.
    DashboardSampler(const ports::MetricsReader& reader, SaleDashboard& dashboard, const ports::Clock& clock);
    /// Stops the worker if it is still running.
    ~DashboardSampler();

    DashboardSampler(const DashboardSampler&) = delete;
    DashboardSampler& operator=(const DashboardSampler&) = delete;

    /// Starts the worker; the first sample is taken at once. No effect if already running.
    void start();
    /// Wakes the worker and joins it. Safe to call twice.
    void stop();

    /// One sample, now (the worker's step; exposed for tests).
    void sample_once();

private:
    void run();

    const ports::MetricsReader& reader_;
    SaleDashboard& dashboard_;
    const ports::Clock& clock_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace gomall::services
