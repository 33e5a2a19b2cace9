// The flash sale's order writer: the one place that says what order a durable reservation becomes
// (via the repository's guarded transaction), when that order expires unpaid, and how a
// reservation that cannot be written is given up. Both reservation queues call it.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ports/clock.hpp"
#include "ports/reservation_writer.hpp"
#include "ports/seckill_repository.hpp"

namespace gomall::services {

/// Thread-safe as far as the repository is: it keeps no state of its own.
class SeckillOrderWriter final : public ports::ReservationWriter {
public:
    /// What a committed batch goes through before its outcomes are returned, on the writer thread:
    /// the relay that hands orders kept in an outbox to the order service, which may turn an
    /// outcome back to pending (see FlashSaleOrderRelay::hand_over). Must not throw.
    using AfterWrite = std::function<void(std::vector<domain::Reservation>&)>;

    /// Orders expire `unpaid_timeout` after the batch's clock reading; `next_order_no` is called
    /// once per order, on the calling (writer) thread.
    SeckillOrderWriter(
        ports::SeckillRepository& repository,
        const ports::Clock& clock,
        std::chrono::seconds unpaid_timeout,
        std::function<std::string()> next_order_no,
        AfterWrite after_write = {}
    );

    std::vector<domain::Reservation> write(std::vector<domain::Reservation> batch) override;
    /// Stores the failure; a row the database refuses although it answers is given up without one
    /// (logged), and `failed` is returned as it came.
    domain::Reservation give_up(const domain::Reservation& failed) override;

private:
    ports::SeckillRepository& repository_;
    const ports::Clock& clock_;
    const std::chrono::seconds unpaid_timeout_;
    const std::function<std::string()> next_order_no_;
    const AfterWrite after_write_;
};

}  // namespace gomall::services
