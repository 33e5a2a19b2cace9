// Flash sales (seckill): activities, reservations and the outcomes of a purchase attempt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/money.hpp"
#include "core/time.hpp"
#include "core/trace_context.hpp"
#include "domain/order.hpp"

namespace gomall::domain {

/// The bounds of an activity, checked by the HTTP layer (400 naming the field) and again by the
/// service (whatever calls it): defined here once so the two cannot drift apart.
inline constexpr std::int64_t kMaxActivityStock = 1'000'000;
inline constexpr int kMaxPerUserLimit = 100;

/// A flash sale of one product: `total_stock` units at `price` between start and end,
/// at most `per_user_limit` per shopper. `sold` is the database's count of units that became
/// orders and were not returned; it never exceeds total_stock (the last guard against oversell).
struct SeckillActivity {
    std::int64_t id = 0;
    std::int64_t product_id = 0;
    // The product as it was when the activity was made (a snapshot, as an order keeps its lines'):
    // the flash sale never reads the catalogue's tables.
    std::string product_name;
    std::string product_image;
    Cents original_price = 0;  // the product's normal price
    Cents price = 0;
    std::int64_t total_stock = 0;
    std::int64_t sold = 0;
    TimePoint start_time;
    TimePoint end_time;  // ending early moves this to the moment of ending
    int per_user_limit = 1;
    TimePoint created_at;
    TimePoint updated_at;
};

enum class ActivityState { kUpcoming, kActive, kSoldOut, kEnded };

/// "upcoming" | "active" | "sold_out" | "ended".
const char* activity_state_name(ActivityState state);

/// State at `now`, given the units still available for sale (gate's view, approximate).
inline ActivityState activity_state(const SeckillActivity& a, std::int64_t remaining, TimePoint now) {
    if (now >= a.end_time)
        return ActivityState::kEnded;
    if (now < a.start_time)
        return ActivityState::kUpcoming;
    return remaining <= 0 ? ActivityState::kSoldOut : ActivityState::kActive;
}

enum class ReservationStatus : int {
    kPending = 0,    // unit taken from the gate, promised to the shopper, order not yet written
    kSucceeded = 1,  // order written (order_no set)
    kFailed = 2,     // could never become an order; unit returned (fail_reason set)
    kReleased = 3,   // its order was cancelled or timed out; unit returned to sale
};

/// One unit promised to one shopper. (activity_id, user_id, seq) is unique: seq counts a
/// shopper's reservations in an activity (1..per_user_limit), which makes order creation idempotent.
struct Reservation {
    std::string id;  // opaque, unique: returned to the shopper as reservation_id
    std::int64_t activity_id = 0;
    std::int64_t product_id = 0;
    std::int64_t user_id = 0;
    int seq = 1;
    Cents price = 0;
    TimePoint reserved_at;
    ReservationStatus status = ReservationStatus::kPending;
    std::string order_no;
    std::string fail_reason;
    /// The span of the purchase that made it, so the queue's spans join that trace. Travels with
    /// the reservation in memory and in the queue message's headers; never stored.
    TraceContext trace;
};

enum class ReserveOutcome { kReserved, kSoldOut, kNotStarted, kEnded, kLimitReached, kUnknownActivity };

struct ReserveResult {
    ReserveOutcome outcome = ReserveOutcome::kUnknownActivity;
    int seq = 0;  // the shopper's reservation number when kReserved
};

/// The order a reservation that won a unit becomes: one unit at the flash price, awaiting payment
/// until `expires_at`, its activity set. Wherever it is written (by the seckill writer, or by the
/// order service from the outbox), it is this order.
Order flash_sale_order(
    const Reservation& won, std::string product_name, std::string product_image, TimePoint now, TimePoint expires_at
);

/// Why `order` cannot be a flash-sale order as flash_sale_order() makes them (an order number of 1
/// to 32 printable ASCII characters, positive ids, one line of one unit at the order's total,
/// awaiting payment); nullopt when it can.
std::optional<std::string> flash_sale_order_fault(const Order& order);

}  // namespace gomall::domain
