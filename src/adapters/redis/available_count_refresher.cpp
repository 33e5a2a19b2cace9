// The refresher's loop: one round, then a wait that stop() cuts short.
#include "adapters/redis/available_count_refresher.hpp"

#include <exception>

#include <spdlog/spdlog.h>

namespace gomall::adapters::redis {

AvailableCountRefresher::AvailableCountRefresher(RedisStockGate& gate, std::chrono::milliseconds interval)
    : gate_(gate), interval_(interval) {}

AvailableCountRefresher::~AvailableCountRefresher() {
    stop();
}

void AvailableCountRefresher::start() {
    if (thread_.joinable()) {
        return;
    }
    thread_ = std::thread([this] {
        bool failing = false;
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            try {
                gate_.refresh_available();
                if (failing) {
                    spdlog::info("flash sale: available counts are read from Redis again");
                    failing = false;
                }
            } catch (const std::exception& e) {
                if (!failing) {
                    // The sale itself fails over to the breaker; this only delays other instances' counts.
                    spdlog::warn("flash sale: reading available counts from Redis failed: {}", e.what());
                    failing = true;
                }
            }
            lock.lock();
            wake_.wait_for(lock, interval_, [this] { return stopping_; });
        }
    });
}

void AvailableCountRefresher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

}  // namespace gomall::adapters::redis
