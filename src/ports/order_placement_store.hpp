// The order side's records when another service takes the stock: orders being placed (begun
// before the stock is asked for, so a crash leaves a trace to clean up) and cancelled orders whose
// stock is still to be given back. Together with the order tables they form a small outbox that
// the unpaid-order sweeper drains.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "domain/order.hpp"

namespace gomall::ports {

enum class QueuedCancel {
    kNotCancellable,  // paid, already cancelled...: nothing changed
    kReleaseQueued,   // cancelled, and its stock's release queued (a flash-sale order's: its unit's)
};

class OrderPlacementStore {
public:
    virtual ~OrderPlacementStore() = default;
    /// Records that `order_no` is being placed, before its stock is asked for.
    virtual void begin_placement(const std::string& order_no, std::int64_t user_id, TimePoint now) = 0;
    /// In one transaction: ends the placement and writes the order with its lines (sets order.id).
    /// False when the placement is gone (the sweeper gave up on it and released its stock): then
    /// nothing is written.
    virtual bool finish_placement(domain::Order& order) = 0;
    /// Ends a placement whose stock was refused or released.
    virtual void drop_placement(const std::string& order_no) = 0;
    /// Placements begun before `started_before`, oldest first: their placing request died.
    virtual std::vector<std::string> stale_placements(TimePoint started_before, int limit) = 0;

    /// Processing/awaiting payment -> cancelled in one transaction, as OrderRepository::cancel, but
    /// no stock is put back here: a release is queued with the cancel, to the catalogue for an
    /// ordinary order, to the flash sale for a flash-sale order's unit.
    virtual QueuedCancel cancel_queueing_release(const std::string& order_no, TimePoint now) = 0;
    virtual void release_done(const std::string& order_no) = 0;
    /// Queued releases, oldest first.
    virtual std::vector<std::string> queued_releases(int limit) = 0;
};

}  // namespace gomall::ports
