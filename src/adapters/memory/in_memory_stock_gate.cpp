// In-process stock gate. A reserve is a few comparisons under the activity's own mutex; the
// coroutine wrappers complete at once, so no I/O thread ever waits on anything but that mutex.
#include "adapters/memory/in_memory_stock_gate.hpp"

namespace gomall::adapters::memory {

std::shared_ptr<InMemoryStockGate::Activity> InMemoryStockGate::find(std::int64_t activity_id) const {
    const std::shared_lock lock(activities_mutex_);
    const auto it = activities_.find(activity_id);
    return it == activities_.end() ? nullptr : it->second;
}

void InMemoryStockGate::load(
    const domain::SeckillActivity& activity, std::int64_t available, const std::vector<ports::ShopperTally>& shoppers
) {
    std::shared_ptr<Activity> state;
    {
        const std::unique_lock lock(activities_mutex_);
        auto& slot = activities_[activity.id];
        if (!slot) {
            slot = std::make_shared<Activity>();
        }
        state = slot;
    }
    // Updated in place rather than swapped, so a reserve already holding the old state cannot
    // decide on numbers that are about to be thrown away.
    const std::lock_guard lock(state->mutex);
    state->start.store(activity.start_time.time_since_epoch().count());
    state->end.store(activity.end_time.time_since_epoch().count());
    state->per_user_limit = activity.per_user_limit;
    state->marks.clear();
    for (const auto& shopper : shoppers) {
        state->marks[shopper.user_id] = {shopper.held, shopper.issued};
    }
    state->available.store(available > 0 ? available : 0);
}

void InMemoryStockGate::remove(std::int64_t activity_id) {
    const std::unique_lock lock(activities_mutex_);
    activities_.erase(activity_id);
}

domain::ReserveResult InMemoryStockGate::try_reserve(std::int64_t activity_id, std::int64_t user_id, TimePoint now) {
    using domain::ReserveOutcome;
    const auto state = find(activity_id);
    if (!state) {
        return {ReserveOutcome::kUnknownActivity, 0};
    }
    const auto ticks = now.time_since_epoch().count();
    auto check_window = [&]() -> std::optional<ReserveOutcome> {
        if (ticks < state->start.load()) {
            return ReserveOutcome::kNotStarted;
        }
        if (ticks >= state->end.load()) {
            return ReserveOutcome::kEnded;
        }
        return std::nullopt;
    };
    // Fast path for the crowd that keeps clicking after the sale is over: no lock at all. (A
    // shopper at their limit hears "sold out" rather than "limit reached" then, which is also true.)
    if (const auto refused = check_window()) {
        return {*refused, 0};
    }
    if (state->available.load(std::memory_order_relaxed) <= 0) {
        return {ReserveOutcome::kSoldOut, 0};
    }

    const std::lock_guard lock(state->mutex);
    if (const auto refused = check_window()) {  // load() may have moved the window meanwhile
        return {*refused, 0};
    }
    const auto marks = state->marks.find(user_id);
    if (marks != state->marks.end() && marks->second.held >= state->per_user_limit) {
        return {ReserveOutcome::kLimitReached, 0};
    }
    const std::int64_t left = state->available.load();
    if (left <= 0) {
        return {ReserveOutcome::kSoldOut, 0};
    }
    state->available.store(left - 1);
    Marks& mine = marks != state->marks.end() ? marks->second : state->marks[user_id];
    ++mine.held;
    ++mine.issued;
    return {ReserveOutcome::kReserved, mine.issued};
}

void InMemoryStockGate::give_back(std::int64_t activity_id, std::int64_t user_id) {
    const auto state = find(activity_id);
    if (!state) {
        return;
    }
    const std::lock_guard lock(state->mutex);
    const auto marks = state->marks.find(user_id);
    // Only a unit some shopper actually holds comes back: a repeated release (or one for a gate
    // reloaded from the database since) must not put a unit on sale twice.
    if (marks == state->marks.end() || marks->second.held <= 0) {
        return;
    }
    --marks->second.held;
    state->available.fetch_add(1);
}

boost::asio::awaitable<domain::ReserveResult> InMemoryStockGate::reserve(
    std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string /*reservation_id: not tracked*/
) {
    co_return try_reserve(activity_id, user_id, now);
}

boost::asio::awaitable<void> InMemoryStockGate::release(std::int64_t activity_id, std::int64_t user_id) {
    give_back(activity_id, user_id);
    co_return;
}

boost::asio::awaitable<void> InMemoryStockGate::settle(
    std::int64_t activity_id, std::int64_t user_id, int /*seq*/, bool returned
) {
    if (returned) {
        give_back(activity_id, user_id);
    }
    co_return;
}

boost::asio::awaitable<void> InMemoryStockGate::settle_ordered(
    std::int64_t /*activity_id*/, std::vector<std::pair<std::int64_t, int>> /*ordered*/
) {
    co_return;
}

boost::asio::awaitable<std::vector<ports::InFlightReservation>> InMemoryStockGate::in_flight_of(
    std::int64_t /*activity_id*/, std::int64_t /*user_id*/
) {
    co_return std::vector<ports::InFlightReservation>{};
}

std::optional<std::int64_t> InMemoryStockGate::available(std::int64_t activity_id) const {
    const auto state = find(activity_id);
    if (!state) {
        return std::nullopt;
    }
    return state->available.load(std::memory_order_relaxed);
}

std::optional<ports::ShopperTally> InMemoryStockGate::shopper(std::int64_t activity_id, std::int64_t user_id) const {
    const auto state = find(activity_id);
    if (!state) {
        return std::nullopt;
    }
    const std::lock_guard lock(state->mutex);
    const auto marks = state->marks.find(user_id);
    if (marks == state->marks.end()) {
        return ports::ShopperTally{user_id, 0, 0};
    }
    return ports::ShopperTally{user_id, marks->second.held, marks->second.issued};
}

}  // namespace gomall::adapters::memory
