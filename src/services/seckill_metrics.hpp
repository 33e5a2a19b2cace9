// What the flash sale tells the metrics port: purchase attempts by activity and outcome, orders
// written and reservations failed by activity, the handoff from "queued" to a durable order, and
// the result streams (clients connected, frames pushed). Per-activity children are taken once,
// when the activity is indexed, so a purchase only bumps a counter it already holds.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "ports/metrics.hpp"

namespace gomall::services {

/// How a purchase attempt ended, as the `outcome` label says it.
enum class AttemptOutcome {
    kReserved,
    kSoldOut,
    kLimit,  // the shopper's per-user limit (a repeat purchase included)
    kNotStarted,
    kEnded,
    kRateLimited,
    kTokenMissing,  // no, a wrong or a used anti-bot token
    kBusy,          // the gate, the token store or the queue could not be reached
    kOther,
};
inline constexpr std::size_t kAttemptOutcomes = static_cast<std::size_t>(AttemptOutcome::kOther) + 1;

std::string_view outcome_label(AttemptOutcome outcome);
/// The outcome a purchase's error code stands for.
AttemptOutcome outcome_of(ErrorCode code);

/// Thread-safe.
class SeckillMetrics {
public:
    /// The children of one activity.
    struct Activity {
        std::array<ports::Counter*, kAttemptOutcomes> attempts{};
        ports::Counter* orders_written = nullptr;
        ports::Counter* reservations_failed = nullptr;
    };

    explicit SeckillMetrics(ports::Metrics& metrics);

    /// The activity's children, taken from the families on first use (locks; call it when the
    /// activity is indexed, not per purchase). The reference stays valid for this object's life.
    Activity& activity(std::int64_t activity_id);

    static void count(const Activity& activity, AttemptOutcome outcome) {
        activity.attempts[static_cast<std::size_t>(outcome)]->inc();
    }

    /// A reservation became an order (`handoff_seconds` after the shopper was told "queued"), or
    /// could not. From the queue's writer or consumer threads.
    void order_written(std::int64_t activity_id, double handoff_seconds);
    void reservation_failed(std::int64_t activity_id);

    /// A shopper's result stream opened or closed; one frame pushed on it.
    void stream_opened() { stream_clients_.add(1); }
    void stream_closed() { stream_clients_.add(-1); }
    void frame_pushed() { frames_pushed_.inc(); }

    ports::Metrics& registry() { return metrics_; }

private:
    ports::Metrics& metrics_;
    ports::CounterFamily& attempts_;
    ports::CounterFamily& orders_written_;
    ports::CounterFamily& failed_;
    ports::Histogram& handoff_;
    ports::Gauge& stream_clients_;
    ports::Counter& frames_pushed_;
    std::mutex mutex_;
    std::unordered_map<std::int64_t, std::unique_ptr<Activity>> activities_;  // guarded by mutex_
};

}  // namespace gomall::services
