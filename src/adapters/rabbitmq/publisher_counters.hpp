// Running totals the reservation publisher keeps for the metrics (read at scrape time by the
// composition root): relaxed atomics written by the publisher thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace gomall::adapters::rabbitmq {

struct PublisherCounters {
    std::atomic<std::uint64_t> nacked{0};  // reservations the broker refused to store (nack)
    std::atomic<std::uint64_t> resent{0};  // of those, sent again on a new connection
};

}  // namespace gomall::adapters::rabbitmq
