// Activity admin: validation against domain's limits, the one-running-sale rule, and telling other
// instances of a change.
#include "services/seckill_admin.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "services/seckill_errors.hpp"

namespace gomall::services {
namespace {

bool running(const domain::SeckillActivity& activity, TimePoint now) {
    return activity.start_time <= now && now < activity.end_time;
}

}  // namespace

void SeckillAdmin::announce_admin_change(std::int64_t activity_id) const {
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

std::optional<Error> SeckillAdmin::validate(const domain::SeckillActivity& activity, TimePoint now) const {
    if (activity.total_stock < 1 || activity.total_stock > domain::kMaxActivityStock) {
        return make_error(
            ErrorCode::kBadRequest, "stock: must be 1-" + std::to_string(domain::kMaxActivityStock), "stock"
        );
    }
    if (activity.price < 1) {
        return make_error(ErrorCode::kBadRequest, "price: must be at least 0.01", "price");
    }
    if (activity.per_user_limit < 1 || activity.per_user_limit > domain::kMaxPerUserLimit) {
        return make_error(
            ErrorCode::kBadRequest,
            "per_user_limit: must be 1-" + std::to_string(domain::kMaxPerUserLimit),
            "per_user_limit"
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

Result<ActivityView> SeckillAdmin::init(const NewActivity& request) {
    std::lock_guard admin(mutex_);
    auto product = products_.product(request.product_id);
    if (!product.ok()) {
        return product.error();
    }
    const TimePoint now = clock_.now();
    domain::SeckillActivity activity;
    activity.product_id = request.product_id;
    activity.product_name = product.value().name;
    activity.product_image = product.value().image_url;
    activity.original_price = product.value().price;
    activity.price = request.price.value_or(product.value().price);
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
    const auto stored = recovery_.reload(id, true);
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
    return index_.view_of(*stored, clock_.now());
}

Result<ActivityView> SeckillAdmin::update(std::int64_t activity_id, const ActivityPatch& patch) {
    std::lock_guard admin(mutex_);
    auto current = repository_.find_activity(activity_id);
    if (!current) {
        return seckill_errors::activity_not_found(activity_id);
    }
    const TimePoint now = clock_.now();
    if (now >= current->start_time) {
        // Once shoppers may have bought, changing stock, price or limit would break promises made.
        return make_error(
            ErrorCode::kActivityRunning,
            "flash sale " + std::to_string(activity_id) + " has already started; only an upcoming sale can be changed"
        );
    }
    domain::SeckillActivity changed = *current;
    // An upcoming sale shows the product as it is now, as a new one would; a product deleted
    // since keeps the sale's snapshot. The catalogue away fails the change, as it fails a new sale.
    auto product = products_.product(current->product_id);
    if (product.ok()) {
        changed.product_name = product.value().name;
        changed.product_image = product.value().image_url;
        changed.original_price = product.value().price;
    } else if (product.error().code != ErrorCode::kProductNotFound) {
        return product.error();
    }
    changed.price = patch.price.value_or(changed.price);
    changed.total_stock = patch.stock.value_or(changed.total_stock);
    changed.start_time = patch.start_time.value_or(changed.start_time);
    changed.end_time = patch.end_time.value_or(changed.end_time);
    changed.per_user_limit = patch.per_user_limit.value_or(changed.per_user_limit);
    if (auto error = validate(changed, now)) {
        return *error;
    }
    return save(changed, now);
}

Result<ActivityView> SeckillAdmin::end(std::int64_t activity_id) {
    std::lock_guard admin(mutex_);
    auto current = repository_.find_activity(activity_id);
    if (!current) {
        return seckill_errors::activity_not_found(activity_id);
    }
    const TimePoint now = clock_.now();
    if (now >= current->end_time) {
        return make_error(ErrorCode::kEnded, "flash sale " + std::to_string(activity_id) + " has already ended");
    }
    domain::SeckillActivity changed = *current;
    changed.end_time = now;
    // Ending one that never started keeps start <= end, so the stored window stays a window.
    changed.start_time = std::min(changed.start_time, now);
    // The gate keeps the activity with its closed window, so late clicks hear "ended" from memory.
    auto saved = save(changed, now);
    if (saved.ok()) {
        spdlog::info("flash sale {} ended early", activity_id);
    }
    return saved;
}

Result<ActivityView> SeckillAdmin::save(const domain::SeckillActivity& changed, TimePoint now) {
    if (!repository_.update_activity(changed, now)) {
        return seckill_errors::activity_not_found(changed.id);
    }
    const auto stored = recovery_.reload(changed.id, true);
    if (!stored) {
        return seckill_errors::activity_not_found(changed.id);
    }
    announce_admin_change(changed.id);
    return index_.view_of(*stored, clock_.now());
}

std::vector<ActivityView> SeckillAdmin::list(bool include_ended) {
    const TimePoint now = clock_.now();
    std::vector<ActivityView> out;
    for (const auto& activity :
         repository_.list_activities(include_ended ? TimePoint{} : now, settings_.recover_limit)) {
        out.push_back(index_.view_of(activity, now));
    }
    sort_for_listing(out);
    return out;
}

Result<ActivityView> SeckillAdmin::get(std::int64_t activity_id) {
    const auto activity = repository_.find_activity(activity_id);
    if (!activity) {
        return seckill_errors::activity_not_found(activity_id);
    }
    return index_.view_of(*activity, clock_.now());
}

}  // namespace gomall::services
