// OrderRepository for an order side whose stock lives in another service (the catalogue service):
// placing an order is a reservation with compensation instead of one SQL transaction.
//
//   1. the order number is recorded as being placed (order side);
//   2. the catalogue takes the stock, removes the cart lines, and records what it took under the
//      number (idempotent);
//   3. the order is written and the placement ended, in one order-side transaction.
//
// A refusal in 2 ends the placement (nothing was taken). An unknown outcome in 2 (the catalogue did
// not answer) releases the number at once, or leaves that to recover(). A crash between 2 and 3
// leaves a placement that recover() releases once it is older than any placing request can be, and
// 3 writes the order only if its placement is still there, so stock is never given back for an
// order that exists. Cancelling queues the release with the cancel and sends it at once (to the
// catalogue, or for a flash-sale order its unit to the flash sale); recover() resends what was not
// taken. No oversell: stock is only ever taken by the catalogue's guarded decrement.
#pragma once

#include <chrono>

#include "ports/clock.hpp"
#include "ports/flash_sale_unit_returns.hpp"
#include "ports/order_placement_store.hpp"
#include "ports/order_repository.hpp"
#include "ports/stock_reservations.hpp"

namespace gomall::services {

struct ReservingSettings {
    /// A placement older than this is given up (its stock released). Far above any call deadline,
    /// so the request that began it has answered long before.
    std::chrono::seconds give_up_after{30};
};

class ReservingOrderRepository final : public ports::OrderRepository {
public:
    /// `orders` answers the reads and payment marks (it may read a replica); `store` writes orders,
    /// placements and releases; `stock` is the catalogue's.
    ReservingOrderRepository(
        ports::OrderRepository& orders,
        ports::OrderPlacementStore& store,
        ports::StockReservations& stock,
        const ports::Clock& clock,
        ReservingSettings settings = {}
    );

    /// Errors: those of StockReservations::reserve; kUnavailable when the catalogue did not answer
    /// or the placement outlived give_up_after (nothing was bought either way).
    Result<domain::Order> place(const domain::OrderDraft& draft) override;
    std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) override;
    domain::Page<domain::Order> list(const domain::OrderQuery& query) override;
    bool mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) override;
    /// Cancels and sends the stock back (a flash-sale order's unit to its sale); an unreachable
    /// catalogue or flash sale only delays the stock, never the cancel.
    bool cancel(const std::string& order_no, TimePoint now) override;
    std::vector<std::string> expired_unpaid(TimePoint now, int limit) override;

    /// Releases the stock of stale placements, stopping at the first the catalogue does not take
    /// (it is away: the next sweep tries again), and sends the queued releases (one that is not
    /// taken waits for the next sweep). Returns how many were finished. Run by the unpaid-order
    /// sweeper.
    int recover(int limit);

    /// Where the units of cancelled flash-sale orders go (the seckill service). Set once, before
    /// serving; without it they wait in the queue.
    void return_flash_sale_units_through(ports::FlashSaleUnitReturns& units) { flash_units_ = &units; }

private:
    /// The services that did not take a release during one pass of recover(): the rest of the
    /// pass sends them nothing (no call, no log line per queued release while one is away).
    struct Away {
        bool catalogue = false;
        bool flash_sale = false;
    };

    /// Sends one release to the catalogue; true when it took it.
    bool send_release(const std::string& order_no);
    /// Sends one queued release where it belongs; true when it was taken. With `away`, skips a
    /// service marked there and marks one that does not take it.
    bool send_queued_release(const std::string& order_no, Away* away = nullptr);

    ports::OrderRepository& orders_;
    ports::OrderPlacementStore& store_;
    ports::StockReservations& stock_;
    ports::FlashSaleUnitReturns* flash_units_ = nullptr;
    const ports::Clock& clock_;
    const ReservingSettings settings_;
};

}  // namespace gomall::services
