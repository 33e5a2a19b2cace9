// Running totals the reservation consumers keep for the metrics (read at scrape time by the
// composition root): plain relaxed atomics, shared by every consumer thread of one queue.
#pragma once

#include <atomic>
#include <cstdint>

namespace gomall::adapters::rabbitmq {

struct ConsumerCounters {
    std::atomic<std::uint64_t> delivered{0};      // messages received, redeliveries included
    std::atomic<std::uint64_t> redelivered{0};    // of those, flagged redelivered by the broker
    std::atomic<std::uint64_t> requeued{0};       // handed back after a failed database step
    std::atomic<std::uint64_t> dead_lettered{0};  // rejected for good (undecodable, or failed max_attempts)
};

}  // namespace gomall::adapters::rabbitmq
