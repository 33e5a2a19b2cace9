// A stop request that sleeping threads can wait on, so a backoff never delays shutdown.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace gomall::adapters::rabbitmq {

class StopSignal {
public:
    void request() {
        {
            const std::lock_guard lock(mutex_);
            requested_ = true;
        }
        cv_.notify_all();
    }

    bool requested() const {
        const std::lock_guard lock(mutex_);
        return requested_;
    }

    /// Sleeps up to `delay`; returns true (early) once a stop was requested.
    bool wait_for(std::chrono::milliseconds delay) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, delay, [this] { return requested_; });
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool requested_ = false;  // guarded by mutex_
};

}  // namespace gomall::adapters::rabbitmq
