// The order service's side of the flash-sale order intake: an order that arrives late (it waited
// in the seckill service's outbox while the order service was away) gets its whole payment window
// from its arrival. The shopper is told "success" only once the order is here, so a window that
// ran out in the outbox would show them an order the unpaid-order sweeper cancels at once.
#pragma once

#include <algorithm>
#include <vector>

#include "ports/clock.hpp"
#include "ports/flash_sale_order_intake.hpp"

namespace gomall::services {

class FlashSaleOrderArrivals final : public ports::FlashSaleOrderIntake {
public:
    FlashSaleOrderArrivals(ports::FlashSaleOrderIntake& store, const ports::Clock& clock)
        : store_(store), clock_(clock) {}

    /// The window is the order's own (expires_at - created_at, the seckill side's unpaid timeout),
    /// counted from now when that ends later: a few milliseconds for an order handed over at once,
    /// the time it waited for one that was late. An order already here keeps what it has
    /// (the store skips it); a malformed one is left for the store to refuse.
    Result<int> accept(const std::vector<domain::Order>& orders) override {
        const TimePoint now = clock_.now();
        std::vector<domain::Order> arrived = orders;
        for (auto& order : arrived) {
            if (order.expires_at > order.created_at) {
                order.expires_at = std::max(order.expires_at, now + (order.expires_at - order.created_at));
            }
        }
        return store_.accept(arrived);
    }

private:
    ports::FlashSaleOrderIntake& store_;
    const ports::Clock& clock_;
};

}  // namespace gomall::services
