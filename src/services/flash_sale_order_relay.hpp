// The relay of a seckill instance in services mode: hands the flash-sale orders its writer put in
// the outbox to the order service, and deletes each row once the order service has the order.
// The writer hands a batch's orders over itself, after its commit and before the batch's results
// are published, so a shopper told "success" finds the order; an order the order service did not
// take is reported as still queued. Rows that could not be handed over, or whose instance died
// first, are swept by every instance's relay once they are a few seconds old. The order service
// takes an order once, whatever sends it twice. An order it refuses as malformed (not the call:
// the order) is found by sending the batch's orders one at a time and set aside in the outbox, so
// the orders behind it go on (docs/operations.md says how an operator takes it from there).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/flash_sale_order_intake.hpp"
#include "ports/flash_sale_order_outbox.hpp"

namespace gomall::services {

struct FlashSaleOrderRelaySettings {
    /// How often rows left behind are looked for (the first sweep runs at start).
    std::chrono::milliseconds sweep_interval{1000};
    /// A row this old is any relay's to send: its writer's relay failed or died.
    std::chrono::seconds left_behind_after{5};
    /// Orders per call to the order service.
    int batch = 200;
};

class FlashSaleOrderRelay {
public:
    struct Counters {
        std::atomic<std::uint64_t> handed_over{0};   // orders the order service took (new or known)
        std::atomic<std::uint64_t> failed_calls{0};  // calls that reached no answer or were refused
        std::atomic<std::uint64_t> set_aside{0};     // orders the order service refused as malformed
    };

    FlashSaleOrderRelay(
        ports::FlashSaleOrderOutbox& outbox,
        ports::FlashSaleOrderIntake& intake,
        const ports::Clock& clock,
        FlashSaleOrderRelaySettings settings = {}
    );
    /// Stops the worker if it still runs.
    ~FlashSaleOrderRelay();
    FlashSaleOrderRelay(const FlashSaleOrderRelay&) = delete;
    FlashSaleOrderRelay& operator=(const FlashSaleOrderRelay&) = delete;

    /// Starts the sweeping worker thread (the first sweep runs at once). No effect if already running.
    void start();
    /// Wakes the worker, lets it finish its current call and joins. What was not sent stays in the
    /// outbox. Safe to call twice.
    void stop();

    /// On the writer's thread, after a batch committed: hands the orders of its succeeded
    /// reservations over (one call per `batch` setting, each within the client's deadline). Those
    /// the order service did not take are turned back to pending in `batch` (no order number): the
    /// sweep sends them later, and the shopper's result says "queued" until then. Never throws.
    void hand_over(std::vector<domain::Reservation>& batch);

    /// The orders of `order_nos` that are still in the outbox, handed over batch by batch until a
    /// call fails; answers the numbers the order service did not take (they wait in the outbox, or
    /// were set aside there).
    /// Exceptions (the outbox's database) propagate.
    std::vector<std::string> send_written(const std::vector<std::string>& order_nos);
    /// The worker's step, exposed for tests and a one-off run: sends every left-behind row, batch
    /// after batch while they come full, until a call fails. Answers how many were taken.
    std::uint64_t sweep();

    const Counters& counters() const { return counters_; }

private:
    void run();
    /// Hands `orders` over and deletes their rows; false when a call failed (the rows not taken
    /// stay). The numbers of orders set aside are added to `set_aside`.
    bool send(const std::vector<domain::Order>& orders, std::vector<std::string>& set_aside);
    void put_aside(const domain::Order& order, const Error& refusal);
    void report(bool ok, const std::string& why);

    ports::FlashSaleOrderOutbox& outbox_;
    ports::FlashSaleOrderIntake& intake_;
    const ports::Clock& clock_;
    const FlashSaleOrderRelaySettings settings_;
    Counters counters_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool failing_ = false;  // for logging a change of state once
    std::thread worker_;
};

}  // namespace gomall::services
