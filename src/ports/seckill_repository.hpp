// Persistence of flash-sale activities and reservations, and the order creation that turns a
// reservation into an order under the database's oversell guard.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "domain/seckill.hpp"
#include "ports/stock_gate.hpp"

namespace gomall::ports {

struct ActivityTally {
    std::int64_t taken = 0;  // reservations pending or succeeded: units not available for sale
    std::vector<ShopperTally> shoppers;
};

class SeckillRepository {
public:
    virtual ~SeckillRepository() = default;

    /// Inserts the activity (sold = 0); returns its id. The caller has checked the product exists.
    virtual std::int64_t create_activity(const domain::SeckillActivity& activity, TimePoint now) = 0;
    /// Replaces price, total_stock, start_time, end_time, per_user_limit and the product snapshot
    /// (name, image, original price). False if missing.
    virtual bool update_activity(const domain::SeckillActivity& activity, TimePoint now) = 0;
    virtual std::optional<domain::SeckillActivity> find_activity(std::int64_t id) = 0;
    /// Activities whose end_time is after `since` (all when since is the epoch), newest start first.
    virtual std::vector<domain::SeckillActivity> list_activities(TimePoint since, int limit) = 0;

    /// One transaction for the whole batch. For each reservation, in order:
    ///  - if (activity_id, user_id, seq) is already stored, it is left alone and its stored state
    ///    returned (idempotent redelivery);
    ///  - else the guard `UPDATE ... SET sold = sold + 1 WHERE id = ? AND sold < total_stock` runs;
    ///    when it refuses, the reservation is stored as kFailed with reason "sold out";
    ///  - else an order is made (next_order_no(), quantity 1 at the flash price, status awaiting
    ///    payment, expires_at, seckill_activity_id set: domain::flash_sale_order) and the reservation
    ///    stored as kSucceeded with that order number. The order is inserted with its line, or, when
    ///    the order tables belong to another service, queued in an outbox for it in this transaction.
    /// Returns the batch with status, order_no and fail_reason filled in.
    virtual std::vector<domain::Reservation> fulfil(
        std::vector<domain::Reservation> batch,
        TimePoint now,
        TimePoint expires_at,
        const std::function<std::string()>& next_order_no
    ) = 0;

    /// A reservation whose order could not be written after repeated tries (`reservation` comes
    /// with status kFailed and its fail_reason): stores it as failed, so that every instance
    /// reports it and the reconciler returns its unit, unless (activity_id, user_id, seq) is
    /// stored already, in which case the stored state is returned instead. An unknown activity
    /// stores nothing. Throws when the database cannot be reached or refuses the row.
    virtual domain::Reservation record_failed(domain::Reservation reservation, TimePoint now) = 0;

    /// The flash sale's side of cancelling order `order_no` when the order side cannot do it in its
    /// own transaction (services mode): the reservation succeeded -> released and the unit back
    /// in its activity (sold - 1), once. Answers the released reservation (activity, shopper, order
    /// number), or nullopt when there was nothing to release (released before, or unknown).
    virtual std::optional<domain::Reservation> release_order(const std::string& order_no, TimePoint now) = 0;

    /// For rebuilding the gate: units taken and every shopper's held/issued counts.
    virtual ActivityTally tally(std::int64_t activity_id) = 0;
    /// The shopper's reservations in the activity, newest first. One whose order waits in the
    /// outbox reads as kPending without an order number: the shopper cannot see that order yet.
    virtual std::vector<domain::Reservation> reservations_of(std::int64_t activity_id, std::int64_t user_id) = 0;
    /// Units sold according to the database (the guard's counter), for reconciliation and tests.
    virtual std::int64_t sold(std::int64_t activity_id) = 0;
};

}  // namespace gomall::ports
