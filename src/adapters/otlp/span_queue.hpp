// The bounded hand-off between threads that end spans and the exporter thread: push never waits
// for the exporter (a full queue drops the span and says so), the exporter takes batches.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "ports/tracer.hpp"

namespace gomall::adapters::otlp {

class SpanQueue {
public:
    /// Holds at most `capacity` spans (at least 1).
    explicit SpanQueue(std::size_t capacity);

    enum class Pushed { kQueued, kFull, kClosed };
    /// Never blocks on the consumer; the lock is held only to append.
    Pushed push(std::unique_ptr<ports::SpanRecord> span);

    /// Waits until `batch_size` spans are queued, `max_wait` has passed, or the queue is closed,
    /// then takes up to `batch_size` spans (possibly none).
    std::vector<std::unique_ptr<ports::SpanRecord>> take(std::size_t batch_size, std::chrono::milliseconds max_wait);

    /// Refuses further pushes and wakes a waiting take(); what is queued can still be taken.
    void close();
    [[nodiscard]] std::size_t size() const;

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::unique_ptr<ports::SpanRecord>> spans_;
    std::size_t wake_at_ = 1;  // take()'s batch size: push wakes the exporter when reached
    bool closed_ = false;
};

}  // namespace gomall::adapters::otlp
