// Implementation of the flash-sale service. The purchase path reads only memory (the activity index,
// the rate limiter, the gate) and the queue; the database is reached by admin calls and result().
#include "services/seckill_service.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "core/unavailable.hpp"
#include "services/circuit_breaker.hpp"
#include "services/jwt.hpp"

namespace gomall::services {
namespace {

using domain::ActivityState;
using domain::ReserveOutcome;
using domain::SeckillActivity;

using domain::kMaxPerUserLimit;
constexpr std::int64_t kMaxStock = domain::kMaxActivityStock;
constexpr std::size_t kReservationIdBytes = 16;  // 128 bits: 32 hex characters
constexpr std::size_t kTokenBytes = 16;

Error activity_not_found(std::int64_t activity_id) {
    return make_error(ErrorCode::kActivityNotFound, "flash sale " + std::to_string(activity_id) + " not found");
}

Error no_sale_for_product(std::int64_t product_id) {
    return make_error(ErrorCode::kActivityNotFound, "there is no flash sale for product " + std::to_string(product_id));
}

Error not_started(const SeckillActivity& activity) {
    return make_error(
        ErrorCode::kNotStarted,
        "the flash sale has not started yet; it starts at " + format_iso8601(activity.start_time)
    );
}

Error ended(const SeckillActivity&) {
    return make_error(ErrorCode::kEnded, "the flash sale has ended");
}

/// A call an open circuit breaker refused is logged at debug level: the breaker logged the outage
/// once when it opened, and a crowd would otherwise write a line per refused purchase.
spdlog::level::level_enum outage_level(const std::exception& e, spdlog::level::level_enum usual = spdlog::level::err) {
    return dynamic_cast<const CircuitOpen*>(&e) != nullptr ? spdlog::level::debug : usual;
}

/// How long the shopper should wait: what an unreachable dependency says (an open circuit
/// breaker knows), else one second.
std::chrono::seconds retry_after_of(const std::exception& e) {
    const auto* unavailable = dynamic_cast<const DependencyUnavailable*>(&e);
    return unavailable != nullptr ? std::max(unavailable->retry_after(), std::chrono::seconds(1))
                                  : std::chrono::seconds(1);
}

Error busy(const std::exception& cause) {
    Error error =
        make_error(ErrorCode::kSeckillBusy, "the flash sale is busy; your unit was returned, please try again");
    error.retry_after = retry_after_of(cause);
    return error;
}

/// A store outside the process (Redis) is down or answered nonsense: nothing was taken, so try again.
Error unreachable(const std::exception& cause) {
    Error error = make_error(ErrorCode::kSeckillBusy, "the flash sale is busy, please try again");
    error.retry_after = retry_after_of(cause);
    return error;
}

bool running(const SeckillActivity& activity, TimePoint now) {
    return activity.start_time <= now && now < activity.end_time;
}

/// Listing order: what can be bought now first, then what comes next, soonest first.
int listing_rank(ActivityState state) {
    switch (state) {
        case ActivityState::kActive:
            return 0;
        case ActivityState::kSoldOut:
            return 1;
        case ActivityState::kUpcoming:
            return 2;
        case ActivityState::kEnded:
            return 3;
    }
    return 3;
}

void sort_for_listing(std::vector<ActivityView>& views) {
    std::sort(views.begin(), views.end(), [](const ActivityView& a, const ActivityView& b) {
        return std::tuple(listing_rank(a.state), a.activity.start_time, a.activity.id) <
               std::tuple(listing_rank(b.state), b.activity.start_time, b.activity.id);
    });
}

}  // namespace

SeckillService::SeckillService(
    ports::SeckillRepository& repository,
    ports::ProductRepository& products,
    ports::StockGate& gate,
    ports::ReservationQueue& queue,
    ports::PurchaseRateLimiter& limiter,
    ports::SeckillTokenStore& tokens,
    const ports::Clock& clock,
    SeckillSettings settings,
    boost::asio::any_io_executor executor
)
    : repository_(repository),
      products_(products),
      gate_(gate),
      queue_(queue),
      limiter_(limiter),
      tokens_(tokens),
      clock_(clock),
      settings_(settings),
      executor_(std::move(executor)),
      ordered_(gate_, executor_) {
    queue_.on_outcome([this](const domain::Reservation& reservation) { on_outcome(reservation); });
}

// ------------------------------------------------------------------------------------------ index

void SeckillService::index(const SeckillActivity& activity) {
    std::unique_lock lock(index_mutex_);
    activities_[activity.id] = activity;
    if (metrics_ != nullptr && !activity_metrics_.contains(activity.id)) {
        activity_metrics_.emplace(activity.id, &metrics_->activity(activity.id));
    }
    auto& ids = by_product_[activity.product_id];
    if (std::find(ids.begin(), ids.end(), activity.id) == ids.end()) {
        ids.push_back(activity.id);
    }
}

std::optional<SeckillActivity> SeckillService::select_locked(std::int64_t product_id, TimePoint now) const {
    const auto it = by_product_.find(product_id);
    if (it == by_product_.end()) {
        return std::nullopt;
    }
    // A product normally has one activity that matters; when several are indexed, the one on sale
    // now wins (newest), then the next to start, then the one that ended last (so the shopper hears
    // "ended" rather than "no flash sale").
    const SeckillActivity* active = nullptr;
    const SeckillActivity* upcoming = nullptr;
    const SeckillActivity* finished = nullptr;
    for (const auto id : it->second) {
        const auto& a = activities_.at(id);
        if (running(a, now)) {
            if (!active || a.id > active->id) {
                active = &a;
            }
        } else if (now < a.start_time) {
            if (!upcoming || a.start_time < upcoming->start_time) {
                upcoming = &a;
            }
        } else if (!finished || std::tie(a.end_time, a.id) > std::tie(finished->end_time, finished->id)) {
            finished = &a;
        }
    }
    const SeckillActivity* chosen = active ? active : (upcoming ? upcoming : finished);
    return chosen ? std::optional<SeckillActivity>(*chosen) : std::nullopt;
}

std::optional<SeckillActivity> SeckillService::select(std::int64_t product_id, TimePoint now) const {
    std::shared_lock lock(index_mutex_);
    return select_locked(product_id, now);
}

std::optional<std::int64_t> SeckillService::current_activity_id(std::int64_t product_id) const {
    const auto activity = select(product_id, clock_.now());
    return activity ? std::optional<std::int64_t>(activity->id) : std::nullopt;
}

ActivityView SeckillService::view_of(const SeckillActivity& activity, TimePoint now) const {
    ActivityView view;
    view.activity = activity;
    // The gate counts queued units as taken, which is what a shopper deciding whether to click needs;
    // an activity no longer in the gate falls back to the database's count of orders.
    const auto available = gate_.available(activity.id);
    view.remaining = available ? std::clamp<std::int64_t>(*available, 0, activity.total_stock)
                               : std::max<std::int64_t>(0, activity.total_stock - activity.sold);
    view.sold = activity.total_stock - view.remaining;
    view.state = domain::activity_state(activity, view.remaining, now);
    view.token_required = settings_.token_required;
    return view;
}

std::optional<SeckillActivity> SeckillService::reload(std::int64_t activity_id, bool load_gate) {
    auto activity = repository_.find_activity(activity_id);
    if (!activity) {
        return std::nullopt;
    }
    if (load_gate) {
        const auto tally = repository_.tally(activity_id);
        try {
            gate_.load(*activity, std::max<std::int64_t>(0, activity->total_stock - tally.taken), tally.shoppers);
        } catch (const std::exception& e) {
            // A gate outside the process (Redis) may be down. The activity is still indexed (the
            // database has it); purchases answer "busy" until the reconciler's next pass loads it.
            spdlog::error("flash sale {}: the stock gate could not load it: {}", activity_id, e.what());
        }
    }
    index(*activity);
    return activity;
}

void SeckillService::recover() {
    const TimePoint now = clock_.now();
    int loaded = 0;
    // Ended activities are indexed too (without the gate) so that a late shopper hears "ended".
    for (const auto& activity : repository_.list_activities(TimePoint{}, settings_.recover_limit)) {
        const bool live = now < activity.end_time;
        reload(activity.id, live);
        loaded += live ? 1 : 0;
    }
    spdlog::info("flash sale: {} running or upcoming activities loaded into the stock gate", loaded);
}

std::vector<SeckillActivity> SeckillService::refresh() {
    const TimePoint now = clock_.now();
    std::vector<SeckillActivity> recent;
    for (const auto& activity : repository_.list_activities(TimePoint{}, settings_.recover_limit)) {
        index(activity);
        // Only an activity this gate has never seen costs a tally; the others keep their live counts.
        if (now < activity.end_time && !gate_.available(activity.id)) {
            reload(activity.id, true);
        }
        recent.push_back(activity);
    }
    return recent;
}

void SeckillService::changed_elsewhere(std::int64_t activity_id) {
    // The other instance already loaded the shared gate; load() is idempotent there and only
    // fills this instance's view of it (and loads a gate of its own kind if it has one).
    if (reload(activity_id, true)) {
        spdlog::debug("flash sale {}: changed on another instance; reloaded", activity_id);
    }
}

void SeckillService::announce_admin_change(std::int64_t activity_id) const {
    if (!admin_change_listener_) {
        return;
    }
    try {
        admin_change_listener_(activity_id);
    } catch (const std::exception& e) {
        // The others still see it at their next refresh (seckill.reconcile_interval_ms).
        spdlog::warn("flash sale {}: telling the other instances failed: {}", activity_id, e.what());
    }
}

void SeckillService::rebuild(std::int64_t activity_id) {
    reload(activity_id, true);
}

std::size_t SeckillService::sync_unresolved(std::chrono::milliseconds age, std::size_t limit) {
    const TimePoint reserved_before = clock_.now() - age;
    const auto waiting = results_.unresolved(reserved_before, limit);
    for (const auto& [activity_id, user_id] : waiting) {
        std::optional<std::vector<domain::Reservation>> in_flight;
        if (const auto view = cached(activity_id)) {
            in_flight = in_flight_elsewhere(view->activity, user_id);  // before the database, as in result()
        }
        results_.merge(activity_id, user_id, repository_.reservations_of(activity_id, user_id));
        if (in_flight) {
            // Neither written nor held by the gate any more: it was returned before becoming an
            // order (the instance that made it told the shopper to retry). Stop reporting it.
            results_.forget_vanished(activity_id, user_id, reserved_before, *in_flight);
        }
    }
    return waiting.size();
}

// ------------------------------------------------------------------------------------------ admin

std::optional<Error> SeckillService::validate(const SeckillActivity& activity, TimePoint now) const {
    if (activity.total_stock < 1 || activity.total_stock > kMaxStock) {
        return make_error(ErrorCode::kBadRequest, "stock: must be 1-" + std::to_string(kMaxStock), "stock");
    }
    if (activity.price < 1) {
        return make_error(ErrorCode::kBadRequest, "price: must be at least 0.01", "price");
    }
    if (activity.per_user_limit < 1 || activity.per_user_limit > kMaxPerUserLimit) {
        return make_error(
            ErrorCode::kBadRequest, "per_user_limit: must be 1-" + std::to_string(kMaxPerUserLimit), "per_user_limit"
        );
    }
    if (activity.end_time <= activity.start_time) {
        return make_error(ErrorCode::kInvalidActivityWindow, "end_time must be after start_time", "end_time");
    }
    if (activity.end_time <= now) {
        return make_error(ErrorCode::kInvalidActivityWindow, "end_time must be in the future", "end_time");
    }
    return std::nullopt;
}

Result<ActivityView> SeckillService::init(const NewActivity& request) {
    std::lock_guard admin(admin_mutex_);
    const auto product = products_.find(request.product_id);
    if (!product) {
        return make_error(ErrorCode::kProductNotFound, "product " + std::to_string(request.product_id) + " not found");
    }
    const TimePoint now = clock_.now();
    SeckillActivity activity;
    activity.product_id = request.product_id;
    activity.price = request.price.value_or(product->price);
    activity.total_stock = request.stock;
    activity.per_user_limit = request.per_user_limit.value_or(1);
    activity.start_time = request.start_time.value_or(now);
    activity.end_time = request.end_time.value_or(activity.start_time + settings_.default_duration);
    if (auto error = validate(activity, now)) {
        return *error;
    }
    // The database, not the index, answers "is one running": the index may lag another instance.
    for (const auto& other : repository_.list_activities(now, settings_.recover_limit)) {
        if (other.product_id == request.product_id && running(other, now)) {
            return make_error(
                ErrorCode::kActivityRunning,
                "activity is running; end it first (flash sale " + std::to_string(other.id) + ")"
            );
        }
    }
    const std::int64_t id = repository_.create_activity(activity, now);
    const auto stored = reload(id, true);
    if (!stored) {
        throw std::runtime_error("flash sale " + std::to_string(id) + " vanished right after it was created");
    }
    announce_admin_change(id);
    spdlog::info(
        "flash sale {} created for product {}: {} units from {} to {}",
        id,
        activity.product_id,
        activity.total_stock,
        format_iso8601(activity.start_time),
        format_iso8601(activity.end_time)
    );
    return view_of(*stored, clock_.now());
}

Result<ActivityView> SeckillService::update(std::int64_t activity_id, const ActivityPatch& patch) {
    std::lock_guard admin(admin_mutex_);
    auto current = repository_.find_activity(activity_id);
    if (!current) {
        return activity_not_found(activity_id);
    }
    const TimePoint now = clock_.now();
    if (now >= current->start_time) {
        // Once shoppers may have bought, changing stock, price or limit would break promises made.
        return make_error(
            ErrorCode::kActivityRunning,
            "flash sale " + std::to_string(activity_id) + " has already started; only an upcoming sale can be changed"
        );
    }
    SeckillActivity changed = *current;
    changed.price = patch.price.value_or(changed.price);
    changed.total_stock = patch.stock.value_or(changed.total_stock);
    changed.start_time = patch.start_time.value_or(changed.start_time);
    changed.end_time = patch.end_time.value_or(changed.end_time);
    changed.per_user_limit = patch.per_user_limit.value_or(changed.per_user_limit);
    if (auto error = validate(changed, now)) {
        return *error;
    }
    if (!repository_.update_activity(changed, now)) {
        return activity_not_found(activity_id);
    }
    const auto stored = reload(activity_id, true);
    if (!stored) {
        return activity_not_found(activity_id);
    }
    announce_admin_change(activity_id);
    return view_of(*stored, clock_.now());
}

Result<ActivityView> SeckillService::end(std::int64_t activity_id) {
    std::lock_guard admin(admin_mutex_);
    auto current = repository_.find_activity(activity_id);
    if (!current) {
        return activity_not_found(activity_id);
    }
    const TimePoint now = clock_.now();
    if (now >= current->end_time) {
        return make_error(ErrorCode::kEnded, "flash sale " + std::to_string(activity_id) + " has already ended");
    }
    SeckillActivity changed = *current;
    changed.end_time = now;
    // Ending one that never started keeps start <= end, so the stored window stays a window.
    changed.start_time = std::min(changed.start_time, now);
    if (!repository_.update_activity(changed, now)) {
        return activity_not_found(activity_id);
    }
    // The gate keeps the activity with its closed window, so late clicks hear "ended" from memory.
    const auto stored = reload(activity_id, true);
    if (!stored) {
        return activity_not_found(activity_id);
    }
    announce_admin_change(activity_id);
    spdlog::info("flash sale {} ended early", activity_id);
    return view_of(*stored, clock_.now());
}

std::vector<ActivityView> SeckillService::list(bool include_ended) {
    const TimePoint now = clock_.now();
    std::vector<ActivityView> out;
    for (const auto& activity :
         repository_.list_activities(include_ended ? TimePoint{} : now, settings_.recover_limit)) {
        out.push_back(view_of(activity, now));
    }
    sort_for_listing(out);
    return out;
}

Result<ActivityView> SeckillService::get(std::int64_t activity_id) {
    const auto activity = repository_.find_activity(activity_id);
    if (!activity) {
        return activity_not_found(activity_id);
    }
    return view_of(*activity, clock_.now());
}

std::vector<ActivityView> SeckillService::listing() const {
    const TimePoint now = clock_.now();
    std::vector<ActivityView> out;
    {
        std::shared_lock lock(index_mutex_);
        for (const auto& [id, activity] : activities_) {
            if (now < activity.end_time) {
                out.push_back(view_of(activity, now));
            }
        }
    }
    sort_for_listing(out);
    return out;
}

std::optional<ActivityView> SeckillService::cached(std::int64_t activity_id) const {
    std::shared_lock lock(index_mutex_);
    const auto it = activities_.find(activity_id);
    if (it == activities_.end()) {
        return std::nullopt;
    }
    return view_of(it->second, clock_.now());
}

// ------------------------------------------------------------------------------------------ purchase

void SeckillService::use_metrics(SeckillMetrics& metrics) {
    {
        std::unique_lock lock(index_mutex_);
        metrics_ = &metrics;
        for (const auto& [id, activity] : activities_) {
            activity_metrics_.emplace(id, &metrics.activity(id));
        }
    }
    // Units left of the activities not yet over, as the gate counts them (queued units are taken).
    units_left_ = metrics.registry().callback(
        ports::CallbackType::kGauge,
        "gomall_seckill_units_left",
        "Units of a flash-sale activity still on sale (queued units count as taken).",
        {"activity"},
        [this] {
            std::vector<ports::Sample> samples;
            const TimePoint now = clock_.now();
            std::shared_lock lock(index_mutex_);
            for (const auto& [id, activity] : activities_) {
                if (now >= activity.end_time) {
                    continue;
                }
                const auto left = gate_.available(id);
                samples.push_back(
                    {{std::to_string(id)}, static_cast<double>(left ? std::max<std::int64_t>(0, *left) : 0)}
                );
            }
            return samples;
        }
    );
}

SeckillMetrics::Activity* SeckillService::activity_metrics(std::int64_t product_id, TimePoint now) const {
    std::shared_lock lock(index_mutex_);
    const auto activity = select_locked(product_id, now);
    if (!activity) {
        return nullptr;
    }
    const auto it = activity_metrics_.find(activity->id);
    return it == activity_metrics_.end() ? nullptr : it->second;
}

std::optional<Error> SeckillService::memory_refusal(
    std::int64_t product_id, const std::optional<SeckillActivity>& activity, TimePoint now
) const {
    if (!activity) {
        return no_sale_for_product(product_id);
    }
    if (now < activity->start_time) {
        return not_started(*activity);
    }
    if (now >= activity->end_time) {
        return ended(*activity);
    }
    if (const auto left = gate_.available(activity->id); left && *left <= 0) {
        return make_error(ErrorCode::kSoldOut, "sold out: every unit of this flash sale is taken");
    }
    return std::nullopt;
}

std::optional<Error> SeckillService::refusal_from_memory(std::int64_t product_id) {
    const TimePoint now = clock_.now();
    auto refused = memory_refusal(product_id, select(product_id, now), now);
    if (refused && metrics_ != nullptr) {
        if (auto* counters = activity_metrics(product_id, now)) {
            SeckillMetrics::count(*counters, outcome_of(refused->code));
        }
    }
    return refused;
}

boost::asio::awaitable<Result<domain::Reservation>> SeckillService::purchase(
    std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
) {
    auto result = co_await attempt_purchase(user_id, product_id, std::move(token), trace);
    if (metrics_ != nullptr) {
        if (auto* counters = activity_metrics(product_id, clock_.now())) {
            SeckillMetrics::count(*counters, result.ok() ? AttemptOutcome::kReserved : outcome_of(result.error().code));
        }
    }
    co_return result;
}

boost::asio::awaitable<Result<domain::Reservation>> SeckillService::attempt_purchase(
    std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
) {
    const TimePoint now = clock_.now();
    const auto activity = select(product_id, now);
    // Fast rejection for the crowd: outside the window or with the gate empty, answer from memory
    // before any per-request work (rate-limit bucket, token, reservation id, gate lock).
    if (auto refused = memory_refusal(product_id, activity, now)) {
        co_return std::move(*refused);
    }
    // Each call below is awaited with the purchase's context handed to it, so the spans of the
    // stores behind the ports (Redis commands) join the purchase's trace.
    bool acquired = false;
    {
        const ActiveTrace::Handoff handoff(trace);
        acquired = co_await limiter_.try_acquire(user_id);
    }
    if (!acquired) {
        co_return make_error(ErrorCode::kSeckillRateLimited, "too many attempts; wait a moment and try again");
    }
    if (settings_.token_required) {
        std::optional<Error> refused;
        {
            const ActiveTrace::Handoff handoff(trace);
            refused = co_await consume_token(activity->id, user_id, std::move(token), now);
        }
        if (refused) {
            co_return *refused;
        }
    }

    domain::Reservation reservation;
    // Made before the unit is taken: nothing may fail between taking a unit and handing it off
    // without giving it back.
    reservation.id = random_hex(kReservationIdBytes);
    reservation.activity_id = activity->id;
    reservation.product_id = product_id;
    reservation.user_id = user_id;
    reservation.price = activity->price;
    reservation.reserved_at = now;
    reservation.status = domain::ReservationStatus::kPending;
    reservation.trace = trace;  // the queue's producer span is its child; the message carries it on

    domain::ReserveResult reserved;
    try {
        const ActiveTrace::Handoff handoff(trace);
        reserved = co_await gate_.reserve(activity->id, user_id, now, reservation.id);
    } catch (const std::exception& e) {
        spdlog::log(outage_level(e), "flash sale {}: stock gate failed: {}", activity->id, e.what());
        co_return unreachable(e);
    }
    switch (reserved.outcome) {
        case ReserveOutcome::kReserved:
            break;
        case ReserveOutcome::kSoldOut:
            co_return make_error(ErrorCode::kSoldOut, "sold out: every unit of this flash sale is taken");
        case ReserveOutcome::kNotStarted:
            co_return not_started(*activity);
        case ReserveOutcome::kEnded:
            co_return ended(*activity);
        case ReserveOutcome::kLimitReached:
            co_return make_error(
                ErrorCode::kLimitReached,
                "you have already bought the limit of " + std::to_string(activity->per_user_limit)
            );
        case ReserveOutcome::kUnknownActivity:
            if (now >= activity->end_time) {
                co_return ended(*activity);  // indexed from the database after it ended; never loaded
            }
            spdlog::error("flash sale {} is indexed but not loaded into the stock gate", activity->id);
            co_return make_error(ErrorCode::kSeckillBusy, "the flash sale is not ready, please try again");
    }
    reservation.seq = reserved.seq;

    bool handed_off = false;
    std::optional<Error> not_queued;
    try {
        co_await queue_.publish(reservation);
        handed_off = true;
    } catch (const std::exception& e) {
        spdlog::log(
            outage_level(e, spdlog::level::warn),
            "flash sale {}: reservation {} could not be queued: {}",
            activity->id,
            reservation.id,
            e.what()
        );
        not_queued = busy(e);
    }
    if (!handed_off) {
        // The shopper is told to retry, so the unit and their mark must go back on sale.
        results_.forget(activity->id, user_id, reservation.id);
        try {
            const ActiveTrace::Handoff handoff(trace);
            co_await gate_.settle(activity->id, user_id, reservation.seq, true);
        } catch (const std::exception& e) {
            // A gate that keeps reservations in flight (Redis) has the reconciler return it later.
            spdlog::error("flash sale {}: returning a unit to the gate failed: {}", activity->id, e.what());
        }
        co_return *not_queued;
    }
    results_.record_queued(reservation);
    co_return reservation;
}

// ------------------------------------------------------------------------------------------ anti-bot token

boost::asio::awaitable<Result<std::string>> SeckillService::issue_token(std::int64_t user_id, std::int64_t product_id) {
    const TimePoint now = clock_.now();
    const auto activity = select(product_id, now);
    if (!activity) {
        co_return no_sale_for_product(product_id);
    }
    if (now < activity->start_time) {
        // Handing tokens out early would let bots stockpile them before the start.
        co_return not_started(*activity);
    }
    if (now >= activity->end_time) {
        co_return ended(*activity);
    }
    std::string token = random_hex(kTokenBytes);
    try {
        co_await tokens_.issue(activity->id, user_id, token, settings_.token_ttl, now);
    } catch (const std::exception& e) {
        spdlog::log(
            outage_level(e), "flash sale {}: the token store could not issue a token: {}", activity->id, e.what()
        );
        co_return unreachable(e);
    }
    co_return token;
}

boost::asio::awaitable<std::optional<Error>> SeckillService::consume_token(
    std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
) {
    bool spent = false;
    // No token at all cannot match one that was issued: answered without asking the store.
    if (!token.empty()) {
        try {
            spent = co_await tokens_.consume(activity_id, user_id, std::move(token), now);
        } catch (const std::exception& e) {
            // Not "token required": the shopper's token may be fine, the store just cannot say so now.
            spdlog::log(
                outage_level(e), "flash sale {}: the token store could not check a token: {}", activity_id, e.what()
            );
            co_return unreachable(e);
        }
    }
    if (spent) {
        co_return std::nullopt;
    }
    co_return make_error(
        ErrorCode::kSeckillTokenRequired, "a fresh flash-sale token is required: get one from POST /api/seckill/token"
    );
}

// ------------------------------------------------------------------------------------------ results

void SeckillService::on_outcome(const domain::Reservation& reservation) {
    const auto previous = results_.record_outcome(reservation);
    if (metrics_ != nullptr && (!previous || *previous == domain::ReservationStatus::kPending)) {
        // Unknown here: queued by another instance, written by this one's consumer. Known and
        // already settled: a redelivery, not a new order.
        if (reservation.status == domain::ReservationStatus::kFailed) {
            metrics_->reservation_failed(reservation.activity_id);
        } else {
            const std::chrono::duration<double> handoff = clock_.now() - reservation.reserved_at;
            metrics_->order_written(reservation.activity_id, std::max(0.0, handoff.count()));
        }
    }
    // A reservation that could not become an order holds neither a unit nor the shopper's mark. A
    // redelivered failure (already known as failed) must not return the unit a second time.
    if (reservation.status == domain::ReservationStatus::kFailed && previous != domain::ReservationStatus::kFailed) {
        spdlog::info(
            "flash sale {}: reservation {} failed ({}); unit returned",
            reservation.activity_id,
            reservation.id,
            reservation.fail_reason
        );
        settle_detached(reservation.activity_id, reservation.user_id, reservation.seq, true);
    } else if (reservation.status != domain::ReservationStatus::kFailed) {
        settle_detached(reservation.activity_id, reservation.user_id, reservation.seq, false);
    }
}

void SeckillService::order_cancelled(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) {
    // The cancel transaction already decremented sold and released the reservation row; this puts the
    // unit back on sale in the gate and lets the shopper buy again.
    release_detached(activity_id, user_id);
    results_.mark_released(activity_id, user_id, order_no);
}

void SeckillService::release_detached(std::int64_t activity_id, std::int64_t user_id) {
    // Callers are plain threads (the order service on the blocking pool, the queue's writer), which
    // must not wait for the gate; the release runs on the service's executor instead.
    boost::asio::co_spawn(
        executor_,
        [this, activity_id, user_id]() -> boost::asio::awaitable<void> {
            try {
                co_await gate_.release(activity_id, user_id);
            } catch (const std::exception& e) {
                spdlog::error("flash sale {}: returning a unit of user {} failed: {}", activity_id, user_id, e.what());
            }
        },
        boost::asio::detached
    );
}

void SeckillService::settle_detached(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned) {
    if (!returned) {
        if (gate_.tracks_in_flight()) {
            ordered_.ordered(activity_id, user_id, seq);  // batched: one round trip for many orders
        }
        return;  // otherwise nothing to tell a gate that forgets a reservation once it is handed off
    }
    boost::asio::co_spawn(
        executor_,
        [this, activity_id, user_id, seq, returned]() -> boost::asio::awaitable<void> {
            try {
                co_await gate_.settle(activity_id, user_id, seq, returned);
            } catch (const std::exception& e) {
                // The reconciler settles what is left in flight once the gate is reachable again.
                spdlog::warn(
                    "flash sale {}: settling reservation {} of user {} failed: {}", activity_id, seq, user_id, e.what()
                );
            }
        },
        boost::asio::detached
    );
}

Result<SeckillResult> SeckillService::result(std::int64_t user_id, std::int64_t product_id) {
    const auto activity = select(product_id, clock_.now());
    if (!activity) {
        return no_sale_for_product(product_id);
    }
    // The gate is asked before the database: a reservation leaves the gate's in-flight set only
    // after its order is written, so one of the two reads sees it.
    const auto in_flight = in_flight_elsewhere(*activity, user_id).value_or(std::vector<domain::Reservation>{});
    // The database is the truth for everything it holds; memory adds what it has not seen yet.
    results_.merge(activity->id, user_id, repository_.reservations_of(activity->id, user_id));
    for (const auto& pending : in_flight) {
        // Kept as queued (unless known), so this instance's event streams and sync_unresolved()
        // follow it until another instance's consumer writes its order.
        results_.record_queued(pending);
    }
    return summarize(activity->id, product_id, results_.of(activity->id, user_id));
}

std::optional<std::vector<domain::Reservation>> SeckillService::in_flight_elsewhere(
    const domain::SeckillActivity& activity, std::int64_t user_id
) {
    if (!gate_.tracks_in_flight()) {
        return std::nullopt;  // a gate of this process only: memory already knows every reservation
    }
    std::vector<ports::InFlightReservation> found;
    try {
        // Not on executor_: that is the blocking pool this very thread belongs to, and with every
        // pool thread waiting here the lookup could never run. The system executor's threads never wait.
        auto future = boost::asio::co_spawn(
            boost::asio::system_executor(), gate_.in_flight_of(activity.id, user_id), boost::asio::use_future
        );
        if (future.wait_for(settings_.in_flight_lookup_timeout) != std::future_status::ready) {
            spdlog::debug("flash sale {}: the gate did not answer for user {} in time", activity.id, user_id);
            return std::nullopt;
        }
        found = future.get();
    } catch (const std::exception& e) {
        // The answer falls back to what the database and memory know; a purchase would fail anyway.
        spdlog::debug("flash sale {}: in-flight lookup for user {} failed: {}", activity.id, user_id, e.what());
        return std::nullopt;
    }
    std::vector<domain::Reservation> out;
    out.reserve(found.size());
    for (auto& f : found) {
        domain::Reservation r;
        r.id = std::move(f.reservation_id);
        r.activity_id = activity.id;
        r.product_id = activity.product_id;
        r.user_id = user_id;
        r.seq = f.seq;
        r.price = activity.price;
        r.reserved_at = f.reserved_at;
        r.status = domain::ReservationStatus::kPending;
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<SeckillResult> SeckillService::cached_result(std::int64_t user_id, std::int64_t activity_id) const {
    auto reservations = results_.of(activity_id, user_id);
    if (reservations.empty()) {
        return std::nullopt;
    }
    const std::int64_t product_id = reservations.front().product_id;
    return summarize(activity_id, product_id, std::move(reservations));
}

}  // namespace gomall::services
