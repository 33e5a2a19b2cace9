// The flash sale, assembled: the activity index, recovery, admin, purchases and results, built on
// one set of ports. Callers take the part they need (handlers take the FlashSale* interfaces
// through api(); the reconciler takes recovery and results; the order side takes returns()).
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "ports/clock.hpp"
#include "ports/flash_sale_returns.hpp"
#include "ports/product_lookup.hpp"
#include "ports/purchase_rate_limiter.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/seckill_token_store.hpp"
#include "ports/stock_gate.hpp"
#include "services/flash_sale_api.hpp"
#include "services/seckill_activity_index.hpp"
#include "services/seckill_admin.hpp"
#include "services/seckill_metrics.hpp"
#include "services/seckill_purchases.hpp"
#include "services/seckill_recovery.hpp"
#include "services/seckill_result_service.hpp"
#include "services/seckill_results.hpp"
#include "services/seckill_settings.hpp"

namespace gomall::services {

class SeckillService {
public:
    /// The ports must outlive the service. `limiter` paces each shopper's purchase attempts;
    /// `tokens` keeps the anti-bot tokens between issue and purchase; `executor` runs the gate calls
    /// started from plain threads (outcomes, cancellations). Registers for the queue's outcomes.
    SeckillService(
        ports::SeckillRepository& repository,
        ports::ProductLookup& products,
        ports::StockGate& gate,
        ports::ReservationQueue& queue,
        ports::PurchaseRateLimiter& limiter,
        ports::SeckillTokenStore& tokens,
        const ports::Clock& clock,
        SeckillSettings settings,
        boost::asio::any_io_executor executor
    )
        : index_(gate, clock, settings),
          recovery_(repository, gate, index_, clock, settings),
          admin_(repository, products, index_, recovery_, clock, settings),
          purchases_(index_, gate, queue, limiter, tokens, results_, clock, settings),
          result_service_(index_, repository, gate, queue, results_, clock, settings, std::move(executor)) {}
    SeckillService(const SeckillService&) = delete;
    SeckillService& operator=(const SeckillService&) = delete;

    SeckillActivityIndex& index() { return index_; }
    SeckillRecovery& recovery() { return recovery_; }
    SeckillAdmin& admin() { return admin_; }
    SeckillPurchases& purchases() { return purchases_; }
    SeckillResultService& results() { return result_service_; }
    /// Where the order side returns the units of cancelled flash-sale orders.
    ports::FlashSaleReturns& returns() { return result_service_; }
    /// The four interfaces the HTTP layer is handed.
    FlashSaleApi api() { return FlashSaleApi{admin_, index_, purchases_, result_service_}; }

    /// Records attempts, outcomes and units left into `metrics` from now on. Call it once at wiring
    /// time, before recovery; `metrics` must outlive the service.
    void use_metrics(SeckillMetrics& metrics) { index_.use_metrics(metrics); }

private:
    // Declaration order is construction order: each part is built after the parts it uses.
    SeckillResults results_;
    SeckillActivityIndex index_;
    SeckillRecovery recovery_;
    SeckillAdmin admin_;
    SeckillPurchases purchases_;
    SeckillResultService result_service_;
};

}  // namespace gomall::services
