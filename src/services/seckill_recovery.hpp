// Keeps the activity index and the stock gate in step with the database: at startup, on the
// reconciler's passes, when another instance announces a change, and when the gate lost an activity.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/stock_gate.hpp"
#include "services/seckill_activity_index.hpp"
#include "services/seckill_settings.hpp"

namespace gomall::services {

/// Every call reads the database: blocking, never on an I/O thread.
class SeckillRecovery {
public:
    SeckillRecovery(
        ports::SeckillRepository& repository,
        ports::StockGate& gate,
        SeckillActivityIndex& index,
        const ports::Clock& clock,
        SeckillSettings settings
    )
        : repository_(repository), gate_(gate), index_(index), clock_(clock), settings_(settings) {}

    /// Startup: loads every activity that has not ended into the gate (units left and each shopper's
    /// tally from the database) and the recent ones into the index.
    void recover();
    /// The reconciler's periodic pass over the database: indexes activities created or changed by
    /// other instances and hands them to the gate (a shared gate keeps its live counts and only
    /// takes the new window and limit). Returns the recent activities, ended ones included.
    std::vector<domain::SeckillActivity> refresh();
    /// Another instance created, changed or ended `activity_id`: read it from the database and
    /// index it (and load a gate that does not know it yet).
    void changed_elsewhere(std::int64_t activity_id);
    /// Reloads one activity into the gate from the database's tally (the gate lost it).
    void rebuild(std::int64_t activity_id);
    /// Re-reads the activity and its tally, loads the gate (unless `load_gate` is false: an ended
    /// activity is only indexed) and indexes it. nullopt when the database does not have it.
    std::optional<domain::SeckillActivity> reload(std::int64_t activity_id, bool load_gate);

private:
    ports::SeckillRepository& repository_;
    ports::StockGate& gate_;
    SeckillActivityIndex& index_;
    const ports::Clock& clock_;
    const SeckillSettings settings_;
};

}  // namespace gomall::services
