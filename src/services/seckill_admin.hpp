// Running activities: create, change, end and list them, with the rules that keep promises made to
// shoppers (no change once a sale started, one running sale per product, limits from domain/).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/product_lookup.hpp"
#include "ports/seckill_repository.hpp"
#include "services/flash_sale_api.hpp"
#include "services/seckill_activity_index.hpp"
#include "services/seckill_recovery.hpp"
#include "services/seckill_settings.hpp"

namespace gomall::services {

/// Thread-safe (one change at a time); blocking (the database).
class SeckillAdmin final : public FlashSaleAdmin {
public:
    SeckillAdmin(
        ports::SeckillRepository& repository,
        ports::ProductLookup& products,
        SeckillActivityIndex& index,
        SeckillRecovery& recovery,
        const ports::Clock& clock,
        SeckillSettings settings
    )
        : repository_(repository),
          products_(products),
          index_(index),
          recovery_(recovery),
          clock_(clock),
          settings_(settings) {}

    /// Called after this instance created, changed or ended an activity (from the admin's request
    /// thread), so other instances can hear of it at once instead of at their next refresh. Set
    /// before serving.
    void on_admin_change(std::function<void(std::int64_t activity_id)> listener) {
        admin_change_listener_ = std::move(listener);
    }

    Result<ActivityView> init(const NewActivity& request) override;
    Result<ActivityView> update(std::int64_t activity_id, const ActivityPatch& patch) override;
    Result<ActivityView> end(std::int64_t activity_id) override;
    std::vector<ActivityView> list(bool include_ended) override;
    Result<ActivityView> get(std::int64_t activity_id) override;

private:
    std::optional<Error> validate(const domain::SeckillActivity& activity, TimePoint now) const;
    void announce_admin_change(std::int64_t activity_id) const;
    /// Stores a changed activity, reloads it into the gate and the index, and tells the other
    /// instances. Errors: kActivityNotFound (deleted meanwhile).
    Result<ActivityView> save(const domain::SeckillActivity& changed, TimePoint now);

    ports::SeckillRepository& repository_;
    ports::ProductLookup& products_;
    SeckillActivityIndex& index_;
    SeckillRecovery& recovery_;
    const ports::Clock& clock_;
    const SeckillSettings settings_;
    std::function<void(std::int64_t)> admin_change_listener_;
    std::mutex mutex_;  // one admin change at a time: "is anything running?" then create
};

}  // namespace gomall::services
