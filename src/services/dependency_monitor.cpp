#include "services/dependency_monitor.hpp"

#include <exception>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {

DependencyMonitor::DependencyMonitor(
    const std::vector<ports::HealthCheck*>& checks, ports::Metrics& metrics, std::chrono::milliseconds every
)
    : every_(every) {
    auto& up = metrics.gauge(
        "gomall_dependency_up",
        "1 when the dependency's last health check passed, 0 when it failed (checked every few seconds).",
        {"dependency"}
    );
    for (auto* check : checks) {
        probes_.push_back({check, &up.with({check->name()}), true});
    }
}

DependencyMonitor::~DependencyMonitor() {
    stop();
}

void DependencyMonitor::start() {
    const std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) {
        return;
    }
    thread_ = std::thread([this] {
        std::unique_lock guard(mutex_);
        while (!stopping_) {
            guard.unlock();
            probe_all();
            guard.lock();
            wake_.wait_for(guard, every_, [this] { return stopping_; });
        }
    });
}

void DependencyMonitor::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void DependencyMonitor::probe_all() {
    for (auto& probe : probes_) {
        std::string failure;
        try {
            failure = probe.check->check();
        } catch (const std::exception& e) {
            failure = e.what();
        }
        probe.up->set(failure.empty() ? 1.0 : 0.0);
        // Logged on the change only: a dependency down for an hour is one line, not 720.
        if (!failure.empty() && probe.was_up) {
            spdlog::warn("dependency {} is down: {}", probe.check->name(), failure);
        } else if (failure.empty() && !probe.was_up) {
            spdlog::info("dependency {} is back", probe.check->name());
        }
        probe.was_up = failure.empty();
    }
}

}  // namespace gomall::services
