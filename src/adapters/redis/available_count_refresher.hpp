// Keeps each instance's local copy of the flash sales' available counts close to Redis. An
// instance only learns a count from its own scripts, so without this a unit sold or returned
// through another instance would show here (and decide "sold out" here) only at the reconciler's
// next pass.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "adapters/redis/redis_stock_gate.hpp"

namespace gomall::adapters::redis {

/// start() runs RedisStockGate::refresh_available() every `interval` on a thread of its own (the
/// reads block); stop() (or the destructor) ends it. A failed round is logged once per outage.
class AvailableCountRefresher {
public:
    AvailableCountRefresher(RedisStockGate& gate, std::chrono::milliseconds interval);
    AvailableCountRefresher(const AvailableCountRefresher&) = delete;
    AvailableCountRefresher& operator=(const AvailableCountRefresher&) = delete;
    ~AvailableCountRefresher();

    void start();
    void stop();

private:
    RedisStockGate& gate_;
    const std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace gomall::adapters::redis
