// Probes every dependency's health check on its own thread, every few seconds, and keeps the
// verdicts as gauges (gomall_dependency_up{dependency}), so a scrape never waits on a database
// ping and an alert can say which dependency is down.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "ports/database_health.hpp"
#include "ports/metrics.hpp"

namespace gomall::services {

class DependencyMonitor {
public:
    /// The checks must outlive the monitor. Nothing runs until start().
    DependencyMonitor(
        const std::vector<ports::HealthCheck*>& checks, ports::Metrics& metrics, std::chrono::milliseconds every
    );
    ~DependencyMonitor();
    DependencyMonitor(const DependencyMonitor&) = delete;
    DependencyMonitor& operator=(const DependencyMonitor&) = delete;

    /// Probes once at once, then every interval on the monitor's thread. Idempotent.
    void start();
    /// Joins the thread (a probe under way finishes first). Idempotent.
    void stop();
    /// One pass over every check, on the calling thread (start() runs it on its own).
    void probe_all();

private:
    struct Probe {
        ports::HealthCheck* check;
        ports::Gauge* up;
        bool was_up;  // touched by the probing thread only
    };
    std::vector<Probe> probes_;
    const std::chrono::milliseconds every_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace gomall::services
