// The full-stack flash sale's safety net. Redis holds the live counts and RabbitMQ the reservations
// in transit; the database holds the truth. Each pass compares them and repairs what a crash, a
// lost message or a Redis that lost its data left behind:
//   - an activity Redis no longer knows is rebuilt from the database's tally;
//   - a reservation still in flight after the grace period is settled from its database row, or,
//     when it has none (a crash between reserve and publish), published again (orders are
//     idempotent on (activity, user, seq), so a duplicate is harmless);
//   - with nothing in flight, Redis's available count must equal total - sold in the database;
//     a difference (a unit returned twice, or never) is corrected.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/any_io_executor.hpp>

#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/stock_gate.hpp"
#include "ports/stock_ledger.hpp"
#include "ports/tracer.hpp"
#include "services/seckill_service.hpp"

namespace gomall::services {

struct ReconcilerSettings {
    std::chrono::milliseconds interval{2000};
    /// How long a reservation may stay in flight before the reconciler looks at it. Longer than a
    /// normal publish-and-consume round trip, so it only catches the stuck ones.
    std::chrono::milliseconds grace{10000};
    /// How long after its end a sale's state stays in the shared store before it is deleted.
    /// Its orders are in the database; the store's copy only serves a sale that is running.
    std::chrono::milliseconds keep_after_end{std::chrono::hours(1)};
};

struct ReconcileReport {
    int activities = 0;
    int rebuilt = 0;
    int settled = 0;
    int republished = 0;
    int corrected = 0;
    int forgotten = 0;
};

/// start() runs passes on its own thread (everything it calls may block); run_once() is one pass.
class SeckillReconciler {
public:
    /// `executor` runs the asynchronous gate and queue calls the pass waits for (not an I/O thread's).
    SeckillReconciler(
        SeckillService& service,
        ports::SeckillRepository& repository,
        ports::StockGate& gate,
        ports::StockLedger& ledger,
        ports::ReservationQueue& queue,
        const ports::Clock& clock,
        boost::asio::any_io_executor executor,
        ReconcilerSettings settings
    );
    SeckillReconciler(const SeckillReconciler&) = delete;
    SeckillReconciler& operator=(const SeckillReconciler&) = delete;
    ~SeckillReconciler();

    /// Each pass of start()'s thread becomes its own trace. Set once, before start().
    void trace_with(ports::Tracer& tracer) { tracer_ = &tracer; }

    /// Counts each pass's repairs by kind, and failed passes, into `metrics`. Set once, before start().
    void measure_with(ports::Metrics& metrics);

    void start();
    void stop();
    /// One pass. Throws when the database or Redis cannot be reached (start() logs and retries).
    ReconcileReport run_once();

private:
    void reconcile_activity(const domain::SeckillActivity& activity, TimePoint now, ReconcileReport& report);
    void forget_if_long_over(const domain::SeckillActivity& activity, TimePoint now, ReconcileReport& report);

    SeckillService& service_;
    ports::SeckillRepository& repository_;
    ports::StockGate& gate_;
    ports::StockLedger& ledger_;
    ports::ReservationQueue& queue_;
    const ports::Clock& clock_;
    boost::asio::any_io_executor executor_;
    const ReconcilerSettings settings_;
    ports::NullTracer no_tracer_;
    ports::Tracer* tracer_ = &no_tracer_;
    struct RepairCounters {
        ports::Counter* rebuilt;
        ports::Counter* settled;
        ports::Counter* republished;
        ports::Counter* corrected;
        ports::Counter* failed_passes;
    };
    std::optional<RepairCounters> counters_;  // none: not measured
    /// Activities whose store keys this instance deleted, with the end they had then: a reset
    /// gives a new end, and the activity is forgotten again after that sale.
    std::map<std::int64_t, TimePoint> forgotten_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace gomall::services
