// The activity index: every recent activity in memory, by id and by product, so the crowd's reads
// and the purchase path never touch the database. Also where each activity's metric children live.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/stock_gate.hpp"
#include "services/flash_sale_api.hpp"
#include "services/seckill_metrics.hpp"
#include "services/seckill_settings.hpp"

namespace gomall::services {

/// Thread-safe; never blocks on I/O (the gate's available() is a memory read).
class SeckillActivityIndex final : public FlashSaleCatalog {
public:
    SeckillActivityIndex(const ports::StockGate& gate, const ports::Clock& clock, SeckillSettings settings)
        : gate_(gate), clock_(clock), settings_(settings) {}
    SeckillActivityIndex(const SeckillActivityIndex&) = delete;
    SeckillActivityIndex& operator=(const SeckillActivityIndex&) = delete;

    /// Adds or replaces the activity (as the database holds it now).
    void index(const domain::SeckillActivity& activity);
    /// A mark of the index's state, to pass to index_unless_newer() later.
    std::uint64_t stamp() const;
    /// index() unless the activity was indexed after `since` (stamp() taken before the database was
    /// read): a listing read before another instance's notice must not undo what the notice loaded.
    void index_unless_newer(const domain::SeckillActivity& activity, std::uint64_t since);
    /// The activity a purchase of the product goes to at `now`: the one on sale (newest), else the
    /// next to start, else the one that ended last.
    std::optional<domain::SeckillActivity> select(std::int64_t product_id, TimePoint now) const;
    std::optional<std::int64_t> current_activity_id(std::int64_t product_id) const;

    /// No sale, not started, ended or sold out: what memory alone can refuse of a purchase of the
    /// product, given the activity select() chose.
    std::optional<Error> memory_refusal(
        std::int64_t product_id, const std::optional<domain::SeckillActivity>& activity, TimePoint now
    ) const;

    /// sold/remaining from the gate while it holds the activity, from the database's count otherwise.
    ActivityView view_of(const domain::SeckillActivity& activity, TimePoint now) const;

    // FlashSaleCatalog
    std::vector<ActivityView> listing() const override;
    std::optional<ActivityView> cached(std::int64_t activity_id) const override;
    TimePoint now() const override { return clock_.now(); }

    /// Creates each activity's metric children from now on and reports units left. Call once at
    /// wiring time, before recovery; `metrics` must outlive the index.
    void use_metrics(SeckillMetrics& metrics);
    /// Null until use_metrics().
    SeckillMetrics* metrics() const { return metrics_; }
    /// The metric children of the activity a purchase of the product went to, if any.
    SeckillMetrics::Activity* activity_metrics(std::int64_t product_id, TimePoint now) const;

private:
    std::optional<domain::SeckillActivity> select_locked(std::int64_t product_id, TimePoint now) const;

    const ports::StockGate& gate_;
    const ports::Clock& clock_;
    const SeckillSettings settings_;

    void index_locked(const domain::SeckillActivity& activity);

    mutable std::shared_mutex mutex_;
    std::unordered_map<std::int64_t, domain::SeckillActivity> activities_;    // by id
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> by_product_;  // product -> activity ids
    std::unordered_map<std::int64_t, std::uint64_t> indexed_at_;              // id -> stamp of its last index()
    std::uint64_t stamps_ = 0;                                                // guarded by mutex_
    SeckillMetrics* metrics_ = nullptr;
    std::unordered_map<std::int64_t, SeckillMetrics::Activity*> activity_metrics_;  // guarded by mutex_
    ports::MetricsRegistration units_left_;  // last: dropped first, while what it reads still exists
};

/// Listing order: what can be bought now first, then what comes next, soonest first.
void sort_for_listing(std::vector<ActivityView>& views);

}  // namespace gomall::services
