// Bounded span queue: drop on full, batch on take.
#include "adapters/otlp/span_queue.hpp"

#include <algorithm>

namespace gomall::adapters::otlp {

SpanQueue::SpanQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

SpanQueue::Pushed SpanQueue::push(std::unique_ptr<ports::SpanRecord> span) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            return Pushed::kClosed;
        }
        if (spans_.size() >= capacity_) {
            return Pushed::kFull;
        }
        spans_.push_back(std::move(span));
        wake = spans_.size() == wake_at_;
    }
    if (wake) {
        ready_.notify_one();
    }
    return Pushed::kQueued;
}

std::vector<std::unique_ptr<ports::SpanRecord>> SpanQueue::take(
    std::size_t batch_size, std::chrono::milliseconds max_wait
) {
    batch_size = std::max<std::size_t>(batch_size, 1);
    std::unique_lock lock(mutex_);
    wake_at_ = batch_size;
    ready_.wait_for(lock, max_wait, [&] { return closed_ || spans_.size() >= batch_size; });
    const auto n = std::min(batch_size, spans_.size());
    std::vector<std::unique_ptr<ports::SpanRecord>> batch;
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(spans_.front()));
        spans_.pop_front();
    }
    return batch;
}

void SpanQueue::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();
}

std::size_t SpanQueue::size() const {
    std::lock_guard lock(mutex_);
    return spans_.size();
}

}  // namespace gomall::adapters::otlp
