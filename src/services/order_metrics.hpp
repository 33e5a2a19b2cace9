// Counters of the order lifecycle (gomall_orders_total{event}) and of payment notifications
// (gomall_payment_notifications_total{outcome}), taken once at wiring time from the metrics port.
// Null pointers (the default, and in unit tests) count nothing.
#pragma once

#include "ports/metrics.hpp"

namespace gomall::services {

struct OrderCounters {
    ports::Counter* created = nullptr;
    ports::Counter* paid = nullptr;
    ports::Counter* cancelled = nullptr;  // by the shopper
    ports::Counter* timed_out = nullptr;  // by the unpaid-order deadline
    ports::Counter* refunded = nullptr;   // fully refunded (status 6)
    ports::Counter* notifications_accepted = nullptr;
    ports::Counter* notifications_rejected = nullptr;

    /// Registers the two families in `metrics` and takes every child.
    static OrderCounters registered_in(ports::Metrics& metrics) {
        auto& orders = metrics.counter("gomall_orders_total", "Orders by lifecycle event.", {"event"});
        auto& notes = metrics.counter(
            "gomall_payment_notifications_total", "Payment provider notifications by outcome.", {"outcome"}
        );
        OrderCounters c;
        c.created = &orders.with({"created"});
        c.paid = &orders.with({"paid"});
        c.cancelled = &orders.with({"cancelled"});
        c.timed_out = &orders.with({"timed_out"});
        c.refunded = &orders.with({"refunded"});
        c.notifications_accepted = &notes.with({"accepted"});
        c.notifications_rejected = &notes.with({"rejected"});
        return c;
    }
};

inline void count(ports::Counter* counter) {
    if (counter != nullptr) {
        counter->inc();
    }
}

}  // namespace gomall::services
