// Background worker that takes a metrics snapshot every sample interval and hands it to the sale
// dashboard, so its history fills on its own clock whether or not anybody is watching.
#pragma once

#include "ports/clock.hpp"
#include "ports/metrics_reader.hpp"
#include "services/periodic_worker.hpp"
#include "services/sale_dashboard.hpp"

namespace gomall::services {

class DashboardSampler {
public:
    /// All three must outlive the sampler.
    DashboardSampler(const ports::MetricsReader& reader, SaleDashboard& dashboard, const ports::Clock& clock);
    DashboardSampler(const DashboardSampler&) = delete;
    DashboardSampler& operator=(const DashboardSampler&) = delete;

    /// Starts the worker; the first sample is taken at once. No effect if already running.
    void start() { worker_.start(); }
    /// Wakes the worker and joins it. Safe to call twice.
    void stop() { worker_.stop(); }

    /// One sample, now (the worker's step; exposed for tests).
    void sample_once();

private:
    const ports::MetricsReader& reader_;
    SaleDashboard& dashboard_;
    const ports::Clock& clock_;
    PeriodicWorker worker_;  // last: its thread uses the members above
};

}  // namespace gomall::services
