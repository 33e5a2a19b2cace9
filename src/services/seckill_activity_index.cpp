// The activity index: selection of a product's activity, views, listing and per-activity metrics.
#include "services/seckill_activity_index.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <tuple>

#include "services/seckill_errors.hpp"

namespace gomall::services {
namespace {

using domain::ActivityState;
using domain::SeckillActivity;

bool running(const SeckillActivity& activity, TimePoint now) {
    return activity.start_time <= now && now < activity.end_time;
}

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

}  // namespace

void sort_for_listing(std::vector<ActivityView>& views) {
    std::sort(views.begin(), views.end(), [](const ActivityView& a, const ActivityView& b) {
        return std::tuple(listing_rank(a.state), a.activity.start_time, a.activity.id) <
               std::tuple(listing_rank(b.state), b.activity.start_time, b.activity.id);
    });
}

std::uint64_t SeckillActivityIndex::stamp() const {
    std::shared_lock lock(mutex_);
    return stamps_;
}

void SeckillActivityIndex::index_unless_newer(const SeckillActivity& activity, std::uint64_t since) {
    std::unique_lock lock(mutex_);
    const auto it = indexed_at_.find(activity.id);
    if (it == indexed_at_.end() || it->second <= since) {
        index_locked(activity);
    }
}

void SeckillActivityIndex::index(const SeckillActivity& activity) {
    std::unique_lock lock(mutex_);
    index_locked(activity);
}

void SeckillActivityIndex::index_locked(const SeckillActivity& activity) {
    activities_[activity.id] = activity;
    indexed_at_[activity.id] = ++stamps_;
    if (metrics_ != nullptr && !activity_metrics_.contains(activity.id)) {
        activity_metrics_.emplace(activity.id, &metrics_->activity(activity.id));
    }
    auto& ids = by_product_[activity.product_id];
    if (std::find(ids.begin(), ids.end(), activity.id) == ids.end()) {
        ids.push_back(activity.id);
    }
}

std::optional<SeckillActivity> SeckillActivityIndex::select_locked(std::int64_t product_id, TimePoint now) const {
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

std::optional<SeckillActivity> SeckillActivityIndex::select(std::int64_t product_id, TimePoint now) const {
    std::shared_lock lock(mutex_);
    return select_locked(product_id, now);
}

std::optional<std::int64_t> SeckillActivityIndex::current_activity_id(std::int64_t product_id) const {
    const auto activity = select(product_id, clock_.now());
    return activity ? std::optional<std::int64_t>(activity->id) : std::nullopt;
}

std::optional<Error> SeckillActivityIndex::memory_refusal(
    std::int64_t product_id, const std::optional<SeckillActivity>& activity, TimePoint now
) const {
    if (!activity) {
        return seckill_errors::no_sale_for_product(product_id);
    }
    if (now < activity->start_time) {
        return seckill_errors::not_started(*activity);
    }
    if (now >= activity->end_time) {
        return seckill_errors::ended(*activity);
    }
    if (const auto left = gate_.available(activity->id); left && *left <= 0) {
        return seckill_errors::sold_out();
    }
    return std::nullopt;
}

ActivityView SeckillActivityIndex::view_of(const SeckillActivity& activity, TimePoint now) const {
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

std::vector<ActivityView> SeckillActivityIndex::listing() const {
    const TimePoint now = clock_.now();
    std::vector<ActivityView> out;
    {
        std::shared_lock lock(mutex_);
        for (const auto& [id, activity] : activities_) {
            if (now < activity.end_time) {
                out.push_back(view_of(activity, now));
            }
        }
    }
    sort_for_listing(out);
    return out;
}

std::optional<ActivityView> SeckillActivityIndex::cached(std::int64_t activity_id) const {
    std::shared_lock lock(mutex_);
    const auto it = activities_.find(activity_id);
    if (it == activities_.end()) {
        return std::nullopt;
    }
    return view_of(it->second, clock_.now());
}

void SeckillActivityIndex::use_metrics(SeckillMetrics& metrics) {
    {
        std::unique_lock lock(mutex_);
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
            std::shared_lock lock(mutex_);
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

SeckillMetrics::Activity* SeckillActivityIndex::activity_metrics(std::int64_t product_id, TimePoint now) const {
    std::shared_lock lock(mutex_);
    const auto activity = select_locked(product_id, now);
    if (!activity) {
        return nullptr;
    }
    const auto it = activity_metrics_.find(activity->id);
    return it == activity_metrics_.end() ? nullptr : it->second;
}

}  // namespace gomall::services
