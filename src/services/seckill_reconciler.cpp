// One pass per interval; every repair is idempotent, so two instances reconciling at once only
// repeat each other's work.
#include "services/seckill_reconciler.hpp"

#include <algorithm>
#include <exception>
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "services/jwt.hpp"

namespace gomall::services {
namespace {

constexpr std::size_t kReservationIdBytes = 16;
/// Results queued here longer than this are looked up in the database each pass (another instance's
/// consumer may have written them); bounded per pass so a crowd cannot turn it into a flood.
constexpr std::chrono::milliseconds kResultSyncAge{500};
constexpr std::size_t kResultSyncLimit = 1000;

}  // namespace

SeckillReconciler::SeckillReconciler(
    SeckillService& service,
    ports::SeckillRepository& repository,
    ports::StockGate& gate,
    ports::StockLedger& ledger,
    ports::ReservationQueue& queue,
    const ports::Clock& clock,
    boost::asio::any_io_executor executor,
    ReconcilerSettings settings
)
    : service_(service),
      repository_(repository),
      gate_(gate),
      ledger_(ledger),
      queue_(queue),
      clock_(clock),
      executor_(std::move(executor)),
      settings_(settings) {}

SeckillReconciler::~SeckillReconciler() {
    stop();
}

void SeckillReconciler::start() {
    if (thread_.joinable()) {
        return;
    }
    thread_ = std::thread([this] {
        bool failing = false;
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            auto span = tracer_->start_root("flash-sale reconcile pass", ports::SpanKind::kInternal);
            const ActiveTrace::Scope trace_scope(span.context());
            try {
                const auto r = run_once();
                if (counters_) {
                    counters_->rebuilt->inc(static_cast<std::uint64_t>(r.rebuilt));
                    counters_->settled->inc(static_cast<std::uint64_t>(r.settled));
                    counters_->republished->inc(static_cast<std::uint64_t>(r.republished));
                    counters_->corrected->inc(static_cast<std::uint64_t>(r.corrected));
                }
                span.set_attribute("gomall.activities", r.activities);
                span.set_attribute("gomall.repairs", r.rebuilt + r.settled + r.republished + r.corrected);
                if (failing) {
                    spdlog::info("flash-sale reconciler: working again");
                    failing = false;
                }
                if (r.rebuilt + r.settled + r.republished + r.corrected + r.forgotten > 0) {
                    spdlog::info(
                        "flash-sale reconciler: {} rebuilt, {} settled, {} republished, {} corrected, {} ended "
                        "sales deleted from the store ({} activities running)",
                        r.rebuilt,
                        r.settled,
                        r.republished,
                        r.corrected,
                        r.forgotten,
                        r.activities
                    );
                }
            } catch (const std::exception& e) {
                span.set_error(e.what());
                if (counters_) {
                    counters_->failed_passes->inc();
                }
                if (!failing) {
                    spdlog::warn(
                        "flash-sale reconciler: pass failed ({}); retrying every {} ms",
                        e.what(),
                        settings_.interval.count()
                    );
                }
                failing = true;
            }
            lock.lock();
            wake_.wait_for(lock, settings_.interval, [this] { return stopping_; });
        }
    });
}

void SeckillReconciler::measure_with(ports::Metrics& metrics) {
    auto& repairs = metrics.counter(
        "gomall_seckill_reconciler_repairs_total",
        "What the flash-sale reconciler repaired: activities rebuilt in the stock store, in-flight "
        "reservations settled or republished, unit counts corrected.",
        {"kind"}
    );
    counters_ = RepairCounters{
        &repairs.with({"rebuilt"}),
        &repairs.with({"settled"}),
        &repairs.with({"republished"}),
        &repairs.with({"corrected"}),
        &metrics
             .counter(
                 "gomall_seckill_reconciler_failed_passes_total",
                 "Reconciler passes that failed (the database or Redis unreachable).",
                 {}
             )
             .with({}),
    };
}

void SeckillReconciler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

ReconcileReport SeckillReconciler::run_once() {
    ReconcileReport report;
    const TimePoint now = clock_.now();
    for (const auto& activity : service_.recovery().refresh()) {
        if (now >= activity.end_time) {
            forget_if_long_over(activity, now, report);
            continue;
        }
        ++report.activities;
        reconcile_activity(activity, now, report);
    }
    service_.results().sync_unresolved(kResultSyncAge, kResultSyncLimit);
    return report;
}

void SeckillReconciler::forget_if_long_over(
    const domain::SeckillActivity& activity, TimePoint now, ReconcileReport& report
) {
    if (now - activity.end_time < settings_.keep_after_end) {
        return;
    }
    const auto done = forgotten_.find(activity.id);
    if (done != forgotten_.end() && done->second == activity.end_time) {
        return;
    }
    ledger_.forget(activity.id);
    forgotten_[activity.id] = activity.end_time;
    ++report.forgotten;
}

void SeckillReconciler::reconcile_activity(
    const domain::SeckillActivity& activity, TimePoint now, ReconcileReport& report
) {
    const auto snapshot = ledger_.snapshot(activity.id);
    if (!snapshot) {
        spdlog::warn("flash sale {}: the stock gate lost the activity; rebuilding it from the database", activity.id);
        service_.recovery().rebuild(activity.id);
        ++report.rebuilt;
        return;
    }

    for (const auto& in_flight : snapshot->in_flight) {
        if (now - in_flight.reserved_at < settings_.grace) {
            continue;
        }
        const auto rows = repository_.reservations_of(activity.id, in_flight.user_id);
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const domain::Reservation& r) {
            return r.seq == in_flight.seq;
        });
        if (row != rows.end() && row->status != domain::ReservationStatus::kPending) {
            // Its order (or its failure) is written; only the gate was never told.
            const bool returned = row->status == domain::ReservationStatus::kFailed;
            boost::asio::co_spawn(
                executor_,
                gate_.settle(activity.id, in_flight.user_id, in_flight.seq, returned),
                boost::asio::use_future
            )
                .get();
            ++report.settled;
            continue;
        }
        // No row: the message never reached the broker, or is still waiting in it. Publish again.
        domain::Reservation again;
        // The shopper's id where the gate kept it: whichever copy is written first, the result
        // they poll names the reservation they were given.
        again.id = in_flight.reservation_id.empty() ? random_hex(kReservationIdBytes) : in_flight.reservation_id;
        again.activity_id = activity.id;
        again.product_id = activity.product_id;
        again.user_id = in_flight.user_id;
        again.seq = in_flight.seq;
        again.price = activity.price;
        again.reserved_at = in_flight.reserved_at;
        boost::asio::co_spawn(executor_, queue_.publish(again), boost::asio::use_future).get();
        ++report.republished;
    }

    if (snapshot->in_flight.empty()) {
        const std::int64_t expected = std::max<std::int64_t>(0, activity.total_stock - repository_.sold(activity.id));
        if (snapshot->available != expected && ledger_.correct_available(activity.id, snapshot->available, expected)) {
            spdlog::warn(
                "flash sale {}: stock gate said {} available, the database {}; corrected",
                activity.id,
                snapshot->available,
                expected
            );
            ++report.corrected;
        }
    }
}

}  // namespace gomall::services
