// Tells the stock gate, in batches, which reservations became orders, so a gate that tracks
// reservations in flight (Redis) forgets each one with one command per batch instead of one
// round trip per order.
#pragma once

#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "ports/stock_gate.hpp"

namespace gomall::services {

class OrderedReservationSettler {
public:
    OrderedReservationSettler(ports::StockGate& gate, boost::asio::any_io_executor executor);

    /// Thread-safe, never waits. Reservation `seq` of the shopper became an order. While a batch
    /// is on its way to the gate, later ones gather and go together in the next.
    void ordered(std::int64_t activity_id, std::int64_t user_id, int seq);

private:
    struct Entry {
        std::int64_t activity_id;
        std::int64_t user_id;
        int seq;
    };
    boost::asio::awaitable<void> drain();

    ports::StockGate& gate_;
    boost::asio::any_io_executor executor_;
    std::mutex mutex_;
    std::vector<Entry> waiting_;  // guarded by mutex_
    bool draining_ = false;       // guarded by mutex_: one drain at a time
};

}  // namespace gomall::services
