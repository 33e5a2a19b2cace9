// What the reconciler needs from a stock gate that lives outside the process (Redis): the
// reservations it holds in flight, and a way to correct its count. Blocking calls, for the
// reconciler's own thread; they throw std::exception when the store cannot be reached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace gomall::ports {

/// A unit taken from the gate whose order has not been confirmed back to the gate yet.
struct InFlightReservation {
    std::int64_t user_id = 0;
    int seq = 0;
    TimePoint reserved_at;
    std::string reservation_id;  // the id the shopper was given (empty if the gate did not keep it)
};

struct LedgerSnapshot {
    std::int64_t available = 0;
    std::vector<InFlightReservation> in_flight;
};

class StockLedger {
public:
    virtual ~StockLedger() = default;

    /// nullopt when the store does not know the activity (never loaded, or it lost its data).
    virtual std::optional<LedgerSnapshot> snapshot(std::int64_t activity_id) = 0;
    /// Sets the available count to `corrected`, only if it still equals `seen` and nothing is in
    /// flight (otherwise a sale happened meanwhile and the next pass looks again). True if applied.
    virtual bool correct_available(std::int64_t activity_id, std::int64_t seen, std::int64_t corrected) = 0;
    /// Deletes everything the store keeps about an activity whose sale is over, so that a shop
    /// running sale after sale does not fill its Redis. Loading the activity again (a reset)
    /// starts it afresh.
    virtual void forget(std::int64_t activity_id) = 0;
};

}  // namespace gomall::ports
