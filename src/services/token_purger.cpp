// The token purger's worker: a purge per interval on its own thread, never on an I/O thread.
#include "services/token_purger.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {

TokenPurger::TokenPurger(
    ports::TokenRepository& tokens,
    const ports::Clock& clock,
    std::chrono::milliseconds interval,
    ports::Metrics& metrics
)
    : tokens_(tokens),
      clock_(clock),
      interval_(interval),
      purged_(metrics
                  .counter(
                      "gomall_auth_tokens_purged_total",
                      "Expired refresh tokens and access-token revocations deleted by the token purger.",
                      {}
                  )
                  .with({})) {
    if (interval_ < std::chrono::milliseconds(1)) {
        throw std::invalid_argument("token purger: the interval must be positive");
    }
}

TokenPurger::~TokenPurger() {
    stop();
}

void TokenPurger::start() {
    const std::lock_guard lock(mutex_);
    if (worker_.joinable()) {
        return;
    }
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
}

void TokenPurger::stop() {
    std::thread worker;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        worker = std::move(worker_);
    }
    wake_.notify_all();
    if (worker.joinable()) {
        worker.join();  // outside the lock: the worker takes it to check stopping_
    }
}

std::int64_t TokenPurger::purge_once() {
    try {
        const std::int64_t deleted = tokens_.purge_expired(clock_.now());
        if (deleted > 0) {
            purged_.inc(static_cast<std::uint64_t>(deleted));
            spdlog::info("token purger: deleted {} expired refresh token(s) and revocation(s)", deleted);
        }
        return deleted;
    } catch (const std::exception& e) {
        spdlog::warn("token purger: the purge failed, trying again in {} ms: {}", interval_.count(), e.what());
    } catch (...) {
        spdlog::warn("token purger: the purge failed, trying again in {} ms", interval_.count());
    }
    return -1;
}

void TokenPurger::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
            return;
        }
        lock.unlock();
        purge_once();
        lock.lock();
    }
}

}  // namespace gomall::services
