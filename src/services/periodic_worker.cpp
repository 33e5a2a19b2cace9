// The periodic worker's thread: waits on a condition variable, so stop() never waits out an interval.
#include "services/periodic_worker.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {

PeriodicWorker::PeriodicWorker(std::string name, PeriodicSchedule schedule, std::function<void()> step)
    : name_(std::move(name)), schedule_(schedule), step_(std::move(step)) {
    if (schedule_.interval < std::chrono::milliseconds(1)) {
        throw std::invalid_argument(name_ + ": the interval must be at least 1 ms");
    }
}

PeriodicWorker::~PeriodicWorker() {
    stop();
}

void PeriodicWorker::start() {
    const std::lock_guard lock(mutex_);
    if (worker_.joinable()) {
        return;
    }
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
}

void PeriodicWorker::stop() {
    std::thread worker;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        worker = std::move(worker_);
    }
    wake_.notify_all();
    if (worker.joinable()) {
        worker.join();  // outside the lock: the thread takes it to check stopping_
    }
}

void PeriodicWorker::step_logged() const {
    try {
        step_();
    } catch (const std::exception& e) {
        spdlog::warn("{}: {}", name_, e.what());
    } catch (...) {
        spdlog::warn("{}: failed with an unknown exception", name_);
    }
}

void PeriodicWorker::run() {
    using Clock = std::chrono::steady_clock;
    auto next = Clock::now();
    if (!schedule_.first_at_once) {
        next += schedule_.interval;
    }
    std::unique_lock lock(mutex_);
    for (;;) {
        if (wake_.wait_until(lock, next, [this] { return stopping_; })) {
            return;
        }
        lock.unlock();
        step_logged();
        const auto now = Clock::now();
        if (schedule_.fixed_rate) {
            next += schedule_.interval;
            while (next <= now) {
                next += schedule_.interval;
            }
        } else {
            next = now + schedule_.interval;
        }
        lock.lock();
    }
}

}  // namespace gomall::services
