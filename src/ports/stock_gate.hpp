// The flash sale's hot-path stock store. Embedded mode keeps it in process memory; full-stack
// mode keeps it in Redis and makes each reserve one Lua script. Both give the same atomicity.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/time.hpp"
#include "domain/seckill.hpp"
#include "ports/stock_ledger.hpp"

namespace gomall::ports {

/// A shopper's standing in one activity, for rebuilding the gate from the database.
struct ShopperTally {
    std::int64_t user_id = 0;
    int held = 0;    // reservations pending or succeeded (they count against the per-user limit)
    int issued = 0;  // highest reservation seq ever given to the shopper (the next one is issued + 1)
};

class StockGate {
public:
    virtual ~StockGate() = default;

    /// Loads or replaces an activity: its window and limit, the units still available, and each
    /// shopper's tally. Thread-safe; used at startup, on admin changes and by reconciliation.
    virtual void load(
        const domain::SeckillActivity& activity, std::int64_t available, const std::vector<ShopperTally>& shoppers
    ) = 0;
    virtual void remove(std::int64_t activity_id) = 0;

    /// Atomically, all or nothing: checks the window at `now` (kNotStarted/kEnded), the shopper's
    /// limit (kLimitReached), takes one unit (kSoldOut when none), and counts the reservation for
    /// the shopper, returning its seq. kUnknownActivity when not loaded. Never blocks a thread.
    /// `reservation_id` is kept with an in-flight reservation where the gate tracks them, so a
    /// repair that publishes it again uses the id the shopper was given.
    virtual boost::asio::awaitable<domain::ReserveResult> reserve(
        std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
    ) = 0;

    /// Returns one unit to sale and frees one of the shopper's held marks (an order that was
    /// cancelled or timed out). The seq counter is not rewound.
    virtual boost::asio::awaitable<void> release(std::int64_t activity_id, std::int64_t user_id) = 0;

    /// The fate of reservation `seq` is known. `returned`: it will never be an order (the handoff
    /// failed, or the order writer refused it), so its unit and the shopper's mark go back on sale;
    /// otherwise it became an order and keeps both. Gates that track reservations in flight (the
    /// Redis gate, for its reconciler) forget it here, and act at most once per reservation.
    virtual boost::asio::awaitable<void> settle(
        std::int64_t activity_id, std::int64_t user_id, int seq, bool returned
    ) = 0;

    /// settle(returned = false) for many reservations of one activity that became orders, in one
    /// round trip where the gate allows it. Each entry is (user id, seq). Pure, like in_flight_of(),
    /// so that no decorator can fall back to a slower or emptier default by omission.
    virtual boost::asio::awaitable<void> settle_ordered(
        std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
    ) = 0;

    /// The shopper's reservations the gate still holds in flight (taken, not yet settled), newest
    /// first. A gate shared by many instances answers for reservations any of them made, so an
    /// instance can report "queued" for one whose order another instance's consumer has not
    /// written yet. Gates that do not track reservations answer nothing.
    virtual boost::asio::awaitable<std::vector<InFlightReservation>> in_flight_of(
        std::int64_t activity_id, std::int64_t user_id
    ) = 0;

    /// True when settle() matters for reservations that became orders (the gate tracks them in flight).
    virtual bool tracks_in_flight() const { return false; }

    /// Units still available (approximate), or nullopt if the activity is not loaded. Cheap, non-blocking.
    virtual std::optional<std::int64_t> available(std::int64_t activity_id) const = 0;
};

}  // namespace gomall::ports
