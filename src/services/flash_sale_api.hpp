// The flash sale as its callers see it (the HTTP handlers, the admin dashboard), in four
// interfaces by responsibility: running activities (admin), what is on sale (catalog), buying
// (purchases) and what became of a purchase (results). Callers depend on these, not on the class
// behind them, so an in-process service and a remote one are interchangeable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "core/trace_context.hpp"
#include "domain/seckill.hpp"
#include "services/seckill_metrics.hpp"
#include "services/seckill_results.hpp"

namespace gomall::services {

/// POST /api/seckill/init. Absent price: the product's price; absent start: now; absent end:
/// start + default_duration; absent limit: 1.
struct NewActivity {
    std::int64_t product_id = 0;
    std::int64_t stock = 0;
    std::optional<Cents> price;
    std::optional<TimePoint> start_time;
    std::optional<TimePoint> end_time;
    std::optional<int> per_user_limit;
};

/// PUT /api/seckill/activities/:id: absent fields stay as they are.
struct ActivityPatch {
    std::optional<Cents> price;
    std::optional<std::int64_t> stock;
    std::optional<TimePoint> start_time;
    std::optional<TimePoint> end_time;
    std::optional<int> per_user_limit;
};

/// An activity as shown to clients: sold/remaining from the gate while it is loaded (the crowd's
/// view, which counts queued units), from the database otherwise.
struct ActivityView {
    domain::SeckillActivity activity;
    std::int64_t sold = 0;
    std::int64_t remaining = 0;
    domain::ActivityState state = domain::ActivityState::kEnded;
    bool token_required = false;  // purchases need an anti-bot token (seckill.token_required)
};

/// Creating, changing, ending and listing activities. Blocking (the database): call from the
/// blocking pool.
class FlashSaleAdmin {
public:
    virtual ~FlashSaleAdmin() = default;
    /// Errors: kProductNotFound, kActivityRunning (one of the product's activities is running),
    /// kInvalidActivityWindow, kBadRequest (stock, price or limit out of range, naming the field).
    virtual Result<ActivityView> init(const NewActivity& request) = 0;
    /// Errors: kActivityNotFound, kActivityRunning (already started), kInvalidActivityWindow, kBadRequest.
    virtual Result<ActivityView> update(std::int64_t activity_id, const ActivityPatch& patch) = 0;
    /// Ends the sale now. Errors: kActivityNotFound, kEnded (already over).
    virtual Result<ActivityView> end(std::int64_t activity_id) = 0;
    /// From the database, newest start first; ended ones only when asked.
    virtual std::vector<ActivityView> list(bool include_ended) = 0;
    /// From the database. Errors: kActivityNotFound.
    virtual Result<ActivityView> get(std::int64_t activity_id) = 0;
};

/// What is on sale, from memory: never blocks, for the crowd's pages.
class FlashSaleCatalog {
public:
    virtual ~FlashSaleCatalog() = default;
    /// Upcoming, active and sold-out activities: active first, then by start time.
    virtual std::vector<ActivityView> listing() const = 0;
    /// One activity, if it is indexed.
    virtual std::optional<ActivityView> cached(std::int64_t activity_id) const = 0;
    /// The sale's clock, for the server_time that countdowns synchronise with.
    virtual TimePoint now() const = 0;
};

/// Buying: the hot path. Never blocks a thread.
class FlashSalePurchases {
public:
    virtual ~FlashSalePurchases() = default;
    /// The refusal a purchase of `product_id` gets from memory alone, counted as the purchase's would
    /// be: kActivityNotFound, kNotStarted, kEnded, or kSoldOut once the gate is empty. nullopt when the
    /// purchase must go on to the gate. Never awaits: the HTTP layer answers the crowd of a sold-out
    /// sale with it on the I/O thread, without starting the purchase's coroutines.
    virtual std::optional<Error> refusal_from_memory(std::int64_t product_id) = 0;
    /// Takes a unit for the shopper and hands it to the durable queue; never touches the database.
    /// Errors: kActivityNotFound, kSeckillRateLimited, kSeckillTokenRequired, kNotStarted, kEnded,
    /// kSoldOut, kLimitReached, kSeckillBusy (the token store or the gate could not be reached, or
    /// the handoff failed; no unit is held for the shopper). `trace`: the request's span, parent of
    /// the spans of the stores and the queue behind the ports.
    virtual boost::asio::awaitable<Result<domain::Reservation>> purchase(
        std::int64_t user_id, std::int64_t product_id, std::string token = {}, TraceContext trace = {}
    ) = 0;
    /// Anti-bot gate: a single-use token for the product's running sale, valid for the configured
    /// time; it replaces the shopper's earlier token for that sale.
    /// Errors: kActivityNotFound, kNotStarted, kEnded, kSeckillBusy (the token store could not be reached).
    virtual boost::asio::awaitable<Result<std::string>> issue_token(std::int64_t user_id, std::int64_t product_id) = 0;
};

/// What became of a shopper's purchases.
class FlashSaleResults {
public:
    virtual ~FlashSaleResults() = default;
    /// The shopper's reservations for the product's current activity (database, shared gate and
    /// memory). Blocking. Errors: kActivityNotFound.
    virtual Result<SeckillResult> result(std::int64_t user_id, std::int64_t product_id) = 0;
    /// Memory only, for pollers; nullopt when nothing is known.
    virtual std::optional<SeckillResult> cached_result(std::int64_t user_id, std::int64_t activity_id) const = 0;
    /// An event stream follows the shopper's result: it is kept up to date whoever made the
    /// purchase, until unwatch_result().
    virtual void watch_result(std::int64_t user_id, std::int64_t activity_id) = 0;
    virtual void unwatch_result(std::int64_t user_id, std::int64_t activity_id) = 0;
    /// Where result streams are counted; null when metrics are off.
    virtual SeckillMetrics* metrics() const = 0;
};

/// The four, as the HTTP layer is handed them.
struct FlashSaleApi {
    FlashSaleAdmin& admin;
    FlashSaleCatalog& catalog;
    FlashSalePurchases& purchases;
    FlashSaleResults& results;
};

}  // namespace gomall::services
