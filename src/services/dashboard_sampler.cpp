// Implementation of the dashboard sampler.
#include "services/dashboard_sampler.hpp"

#include <chrono>
#include <exception>

#include <spdlog/spdlog.h>

namespace gomall::services {

DashboardSampler::DashboardSampler(
    const ports::MetricsReader& reader, SaleDashboard& dashboard, const ports::Clock& clock
)
    : reader_(reader), dashboard_(dashboard), clock_(clock) {}

DashboardSampler::~DashboardSampler() {
    stop();
}

void DashboardSampler::start() {
    const std::lock_guard lock(mutex_);
    if (worker_.joinable()) {
        return;
    }
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
}

void DashboardSampler::stop() {
    std::thread worker;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        worker = std::move(worker_);
    }
    wake_.notify_all();
    // Join outside the lock: the worker takes it to check stopping_.
    if (worker.joinable()) {
        worker.join();
    }
}

void DashboardSampler::sample_once() {
    dashboard_.record(reader_.snapshot(), clock_.now());
}

void DashboardSampler::run() {
    const auto interval = dashboard_.settings().sample_interval;
    // Steps on a fixed schedule (not "interval after the last one ended"), so samples stay evenly
    // spaced; a step that overran skips the missed ticks instead of bunching them.
    auto next = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            sample_once();
        } catch (const std::exception& e) {
            spdlog::warn("dashboard sample failed: {}", e.what());
        } catch (...) {
            spdlog::warn("dashboard sample failed with an unknown exception");
        }
        const auto now = std::chrono::steady_clock::now();
        next += interval;
        while (next <= now) {
            next += interval;
        }
        lock.lock();
        wake_.wait_until(lock, next, [this] { return stopping_; });
    }
}

}  // namespace gomall::services
