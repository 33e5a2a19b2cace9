// Exponential backoff between reconnection attempts: min, 2*min, 4*min ... capped at max.
#pragma once

#include <algorithm>
#include <chrono>

namespace gomall::adapters::rabbitmq {

class ReconnectBackoff {
public:
    ReconnectBackoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
        : min_(std::max(min, std::chrono::milliseconds(1))), max_(std::max(max, min_)), next_(min_) {}

    /// The delay before the next attempt; each call doubles the following one, up to max.
    std::chrono::milliseconds next() {
        const auto delay = next_;
        next_ = std::min(next_ * 2, max_);
        return delay;
    }
    /// After a success: the next failure waits min again.
    void reset() { next_ = min_; }

private:
    std::chrono::milliseconds min_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds next_;
};

}  // namespace gomall::adapters::rabbitmq
