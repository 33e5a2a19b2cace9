// What became of a shopper's purchases: the queue's verdicts, result polls and event streams,
// units returned when a flash-sale order is cancelled, and results kept in step with what other
// instances wrote.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/error.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/flash_sale_returns.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/stock_gate.hpp"
#include "services/flash_sale_api.hpp"
#include "services/ordered_reservation_settler.hpp"
#include "services/seckill_activity_index.hpp"
#include "services/seckill_results.hpp"
#include "services/seckill_settings.hpp"

namespace gomall::services {

/// Thread-safe. result() and sync_unresolved() read the database (blocking pool); the rest never blocks.
class SeckillResultService final : public FlashSaleResults, public ports::FlashSaleReturns {
public:
    /// Registers on_outcome() with `queue`. `executor` runs the gate calls started from plain
    /// threads (outcomes, cancellations).
    SeckillResultService(
        SeckillActivityIndex& index,
        ports::SeckillRepository& repository,
        ports::StockGate& gate,
        ports::ReservationQueue& queue,
        SeckillResults& results,
        const ports::Clock& clock,
        SeckillSettings settings,
        boost::asio::any_io_executor executor
    );
    SeckillResultService(const SeckillResultService&) = delete;
    SeckillResultService& operator=(const SeckillResultService&) = delete;

    /// The queue's verdict on a reservation: an order written, or a failure whose unit goes back.
    void on_outcome(const domain::Reservation& reservation);
    /// From the order side (ports::FlashSaleReturns): a cancelled flash-sale order puts its unit back
    /// on sale and frees the shopper's mark (the database side was done in the cancel transaction).
    void order_cancelled(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) override;

    // FlashSaleResults
    Result<SeckillResult> result(std::int64_t user_id, std::int64_t product_id) override;
    std::optional<SeckillResult> cached_result(std::int64_t user_id, std::int64_t activity_id) const override;
    void watch_result(std::int64_t user_id, std::int64_t activity_id) override { results_.watch(activity_id, user_id); }
    void unwatch_result(std::int64_t user_id, std::int64_t activity_id) override {
        results_.unwatch(activity_id, user_id);
    }
    SeckillMetrics* metrics() const override { return index_.metrics(); }

    /// Brings results still "queued" in memory for longer than `age` up to date from the database
    /// (at most `limit` shoppers), so this instance's event streams see outcomes that another
    /// instance's consumer wrote; with a shared gate, forgets those that neither the database nor
    /// the gate holds any more (returned before becoming orders). Returns how many shoppers were
    /// looked up. Blocking.
    std::size_t sync_unresolved(std::chrono::milliseconds age, std::size_t limit);

private:
    void release_detached(std::int64_t activity_id, std::int64_t user_id);
    void settle_detached(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned);
    /// What a shared gate holds in flight for the shopper (reservations another instance made whose
    /// orders are not written yet), as pending reservations. nullopt when the gate is this
    /// process's own or cannot say in time.
    std::optional<std::vector<domain::Reservation>> in_flight_elsewhere(
        const domain::SeckillActivity& activity, std::int64_t user_id
    );

    SeckillActivityIndex& index_;
    ports::SeckillRepository& repository_;
    ports::StockGate& gate_;
    SeckillResults& results_;
    const ports::Clock& clock_;
    const SeckillSettings settings_;
    boost::asio::any_io_executor executor_;
    OrderedReservationSettler ordered_;  // after gate_ and executor_, which it uses
};

}  // namespace gomall::services
