// Loading activities from the database into the index and the stock gate.
#include "services/seckill_recovery.hpp"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

namespace gomall::services {

std::optional<domain::SeckillActivity> SeckillRecovery::reload(std::int64_t activity_id, bool load_gate) {
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
    index_.index(*activity);
    return activity;
}

void SeckillRecovery::recover() {
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

std::vector<domain::SeckillActivity> SeckillRecovery::refresh() {
    const TimePoint now = clock_.now();
    std::vector<domain::SeckillActivity> recent;
    const std::uint64_t before_reading = index_.stamp();
    for (const auto& activity : repository_.list_activities(TimePoint{}, settings_.recover_limit)) {
        index_.index_unless_newer(activity, before_reading);
        // Only an activity this gate has never seen costs a tally; the others keep their live counts.
        if (now < activity.end_time && !gate_.available(activity.id)) {
            reload(activity.id, true);
        }
        recent.push_back(activity);
    }
    return recent;
}

void SeckillRecovery::changed_elsewhere(std::int64_t activity_id) {
    // The other instance already loaded the shared gate; load() is idempotent there and only
    // fills this instance's view of it (and loads a gate of its own kind if it has one).
    if (reload(activity_id, true)) {
        spdlog::debug("flash sale {}: changed on another instance; reloaded", activity_id);
    }
}

void SeckillRecovery::rebuild(std::int64_t activity_id) {
    reload(activity_id, true);
}

}  // namespace gomall::services
