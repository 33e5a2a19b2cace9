// Flash-sale (seckill) rules: admin maintenance of activities, the non-blocking purchase path
// (index -> rate limit -> anti-bot token -> stock gate -> durable queue), results, and returning units to sale.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "core/trace_context.hpp"
#include "domain/order.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/flash_sale_returns.hpp"
#include "ports/product_repository.hpp"
#include "ports/purchase_rate_limiter.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/seckill_token_store.hpp"
#include "ports/stock_gate.hpp"
#include "services/flash_sale_api.hpp"
#include "services/ordered_reservation_settler.hpp"
#include "services/seckill_metrics.hpp"
#include "services/seckill_results.hpp"

namespace gomall::services {

struct SeckillSettings {
    /// Anti-bot gate: purchases need a single-use token fetched once the sale has started.
    bool token_required = false;
    std::chrono::seconds token_ttl{120};
    /// Length of an activity created without an end time.
    std::chrono::seconds default_duration{3600};
    /// How many activities (newest first) recover() reads; older ones are long over.
    int recover_limit = 1000;
    /// How long a result poll waits for a shared gate's in-flight answer before it answers from the
    /// database and memory alone (Redis slow or down).
    std::chrono::milliseconds in_flight_lookup_timeout{500};
};

/// Thread-safe. Admin calls, result() and recover() touch the database (call them on the blocking
/// pool); purchase(), listing(), cached_*() and the listeners never do.
class SeckillService final : public FlashSaleAdmin,
                             public FlashSaleCatalog,
                             public FlashSalePurchases,
                             public FlashSaleResults,
                             public ports::FlashSaleReturns {
public:
    /// Registers on_outcome() with `queue`. `limiter` paces each shopper's purchase attempts;
    /// `tokens` keeps the anti-bot tokens between issue and purchase; `executor` runs the gate
    /// calls started from plain threads (outcomes, cancellations).
    SeckillService(
        ports::SeckillRepository& repository,
        ports::ProductRepository& products,
        ports::StockGate& gate,
        ports::ReservationQueue& queue,
        ports::PurchaseRateLimiter& limiter,
        ports::SeckillTokenStore& tokens,
        const ports::Clock& clock,
        SeckillSettings settings,
        boost::asio::any_io_executor executor
    );
    SeckillService(const SeckillService&) = delete;
    SeckillService& operator=(const SeckillService&) = delete;

    /// Startup: loads every activity that has not ended into the gate (units left and each shopper's
    /// tally from the database) and the recent ones into the index.
    void recover();
    /// The reconciler's periodic pass over the database: indexes activities created or changed by
    /// other instances and hands them to the gate (a shared gate keeps its live counts and only
    /// takes the new window and limit). Returns the recent activities, ended ones included.
    std::vector<domain::SeckillActivity> refresh();

    /// Called after this instance created, changed or ended an activity (from the admin's
    /// request thread), so other instances can hear of it at once instead of at their next
    /// refresh(). Set before serving.
    void on_admin_change(std::function<void(std::int64_t activity_id)> listener) {
        admin_change_listener_ = std::move(listener);
    }
    /// Another instance created, changed or ended `activity_id`: read it from the database and
    /// index it (and load a gate that does not know it yet). Blocking; never on an I/O thread.
    void changed_elsewhere(std::int64_t activity_id);
    /// Reloads one activity into the gate from the database's tally (the gate lost it).
    void rebuild(std::int64_t activity_id);
    /// Brings results still "queued" in memory for longer than `age` up to date from the database
    /// (at most `limit` shoppers), so this instance's event streams see outcomes that another
    /// instance's consumer wrote; with a shared gate, forgets those that neither the database nor
    /// the gate holds any more (returned before becoming orders). Returns how many shoppers were
    /// looked up.
    std::size_t sync_unresolved(std::chrono::milliseconds age, std::size_t limit);

    // --- admin (blocking) ---
    /// Errors: kProductNotFound, kActivityRunning (one of the product's activities is running),
    /// kInvalidActivityWindow, kBadRequest (stock, price or limit out of range, naming the field).
    Result<ActivityView> init(const NewActivity& request) override;
    /// Errors: kActivityNotFound, kActivityRunning (already started), kInvalidActivityWindow, kBadRequest.
    Result<ActivityView> update(std::int64_t activity_id, const ActivityPatch& patch) override;
    /// Ends the sale now. Errors: kActivityNotFound, kEnded (already over).
    Result<ActivityView> end(std::int64_t activity_id) override;
    /// From the database, newest start first; ended ones only when asked.
    std::vector<ActivityView> list(bool include_ended) override;
    /// From the database. Errors: kActivityNotFound.
    Result<ActivityView> get(std::int64_t activity_id) override;

    // --- non-blocking reads for the crowd ---
    /// Upcoming, active and sold-out activities from memory: active first, then by start time.
    std::vector<ActivityView> listing() const override;
    /// One activity from memory, if it is indexed.
    std::optional<ActivityView> cached(std::int64_t activity_id) const override;

    // --- the hot path ---
    /// Takes a unit for the shopper and hands it to the durable queue; never touches the database.
    /// Errors: kActivityNotFound, kSeckillRateLimited, kSeckillTokenRequired, kNotStarted, kEnded,
    /// kSoldOut, kLimitReached, kSeckillBusy (the token store or the gate could not be reached, or
    /// the handoff failed; no unit is held for the shopper).
    /// `trace`: the request's span (a coroutine cannot rely on the thread's active span), parent
    /// of the spans of the stores and the queue behind the ports.
    /// The refusal a purchase of `product_id` gets from memory alone, counted as the purchase's would
    /// be: kActivityNotFound, kNotStarted, kEnded, or kSoldOut once the gate is empty. nullopt when the
    /// purchase must go on to the gate. Never blocks or awaits: the HTTP layer answers the crowd of a
    /// sold-out sale with it on the I/O thread, without starting the purchase's coroutines.
    std::optional<Error> refusal_from_memory(std::int64_t product_id) override;

    boost::asio::awaitable<Result<domain::Reservation>> purchase(
        std::int64_t user_id, std::int64_t product_id, std::string token = {}, TraceContext trace = {}
    ) override;
    /// Anti-bot gate: a single-use token for the product's running sale, valid for token_ttl; it
    /// replaces the shopper's earlier token for that sale. Never blocks a thread.
    /// Errors: kActivityNotFound, kNotStarted, kEnded, kSeckillBusy (the token store could not be reached).
    boost::asio::awaitable<Result<std::string>> issue_token(std::int64_t user_id, std::int64_t product_id) override;
    bool token_required() const { return settings_.token_required; }
    /// The service's clock, for the server_time that countdowns synchronise with.
    TimePoint now() const override { return clock_.now(); }

    // --- results ---
    /// The queue's verdict on a reservation (registered with the queue by the constructor).
    void on_outcome(const domain::Reservation& reservation);
    /// From the order side (ports::FlashSaleReturns): a cancelled flash-sale order puts its unit back
    /// on sale and frees the shopper's mark (the database side was done in the cancel transaction).
    void order_cancelled(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) override;
    /// The shopper's reservations for the product's current activity from the database, merged with
    /// those only memory knows yet. Errors: kActivityNotFound.
    Result<SeckillResult> result(std::int64_t user_id, std::int64_t product_id) override;
    /// Memory only, for pollers; nullopt when nothing is known.
    std::optional<SeckillResult> cached_result(std::int64_t user_id, std::int64_t activity_id) const override;
    /// An event stream follows the shopper's result: sync_unresolved() keeps reading it from the
    /// database (and a shared gate) until unwatch_result(), whoever made the purchase.
    void watch_result(std::int64_t user_id, std::int64_t activity_id) override { results_.watch(activity_id, user_id); }
    void unwatch_result(std::int64_t user_id, std::int64_t activity_id) override {
        results_.unwatch(activity_id, user_id);
    }
    /// The activity a purchase of the product would go to now, from memory.
    std::optional<std::int64_t> current_activity_id(std::int64_t product_id) const;

    // --- metrics ---
    /// Records attempts, outcomes and units left into `metrics` from now on. Call it once at
    /// wiring time, before recover(); `metrics` must outlive the service.
    void use_metrics(SeckillMetrics& metrics);
    /// Null until use_metrics(); the handlers count result streams through it.
    SeckillMetrics* metrics() const override { return metrics_; }

private:
    ActivityView view_of(const domain::SeckillActivity& activity, TimePoint now) const;
    /// Re-reads the activity and its tally, loads the gate (unless ended) and indexes it.
    std::optional<domain::SeckillActivity> reload(std::int64_t activity_id, bool load_gate);
    void index(const domain::SeckillActivity& activity);
    std::optional<domain::SeckillActivity> select_locked(std::int64_t product_id, TimePoint now) const;
    std::optional<domain::SeckillActivity> select(std::int64_t product_id, TimePoint now) const;
    /// No sale, not started, ended or sold out: what memory alone can refuse.
    std::optional<Error> memory_refusal(
        std::int64_t product_id, const std::optional<domain::SeckillActivity>& activity, TimePoint now
    ) const;
    boost::asio::awaitable<Result<domain::Reservation>> attempt_purchase(
        std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
    );
    /// The metric children of the activity a purchase of the product went to, if any.
    SeckillMetrics::Activity* activity_metrics(std::int64_t product_id, TimePoint now) const;
    std::optional<Error> validate(const domain::SeckillActivity& activity, TimePoint now) const;
    boost::asio::awaitable<std::optional<Error>> consume_token(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    );
    void release_detached(std::int64_t activity_id, std::int64_t user_id);
    void announce_admin_change(std::int64_t activity_id) const;
    void settle_detached(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned);
    /// What a shared gate holds in flight for the shopper (reservations another instance made whose
    /// orders are not written yet), as pending reservations. nullopt when the gate is this
    /// process's own or cannot say in time.
    std::optional<std::vector<domain::Reservation>> in_flight_elsewhere(
        const domain::SeckillActivity& activity, std::int64_t user_id
    );

    ports::SeckillRepository& repository_;
    ports::ProductRepository& products_;
    ports::StockGate& gate_;
    ports::ReservationQueue& queue_;
    ports::PurchaseRateLimiter& limiter_;
    ports::SeckillTokenStore& tokens_;
    const ports::Clock& clock_;
    const SeckillSettings settings_;
    boost::asio::any_io_executor executor_;
    OrderedReservationSettler ordered_;  // after gate_ and executor_, which it uses
    std::function<void(std::int64_t)> admin_change_listener_;

    std::mutex admin_mutex_;  // one admin change at a time: "is anything running?" then create
    mutable std::shared_mutex index_mutex_;
    std::unordered_map<std::int64_t, domain::SeckillActivity> activities_;    // by id
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> by_product_;  // product -> activity ids
    SeckillResults results_;
    SeckillMetrics* metrics_ = nullptr;
    std::unordered_map<std::int64_t, SeckillMetrics::Activity*> activity_metrics_;  // guarded by index_mutex_
    ports::MetricsRegistration units_left_;  // last: dropped first, while what it reads still exists
};

}  // namespace gomall::services
