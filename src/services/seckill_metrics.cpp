#include "services/seckill_metrics.hpp"

#include <string>

namespace gomall::services {

std::string_view outcome_label(AttemptOutcome outcome) {
    switch (outcome) {
        case AttemptOutcome::kReserved:
            return "reserved";
        case AttemptOutcome::kSoldOut:
            return "sold_out";
        case AttemptOutcome::kLimit:
            return "limit";
        case AttemptOutcome::kNotStarted:
            return "not_started";
        case AttemptOutcome::kEnded:
            return "ended";
        case AttemptOutcome::kRateLimited:
            return "rate_limited";
        case AttemptOutcome::kTokenMissing:
            return "token_missing";
        case AttemptOutcome::kBusy:
            return "busy";
        case AttemptOutcome::kOther:
            break;
    }
    return "other";
}

AttemptOutcome outcome_of(ErrorCode code) {
    switch (code) {
        case ErrorCode::kSoldOut:
            return AttemptOutcome::kSoldOut;
        case ErrorCode::kLimitReached:
            return AttemptOutcome::kLimit;
        case ErrorCode::kNotStarted:
            return AttemptOutcome::kNotStarted;
        case ErrorCode::kEnded:
            return AttemptOutcome::kEnded;
        case ErrorCode::kSeckillRateLimited:
            return AttemptOutcome::kRateLimited;
        case ErrorCode::kSeckillTokenRequired:
            return AttemptOutcome::kTokenMissing;
        case ErrorCode::kSeckillBusy:
        case ErrorCode::kUnavailable:
            return AttemptOutcome::kBusy;
        default:
            return AttemptOutcome::kOther;
    }
}

SeckillMetrics::SeckillMetrics(ports::Metrics& metrics)
    : metrics_(metrics),
      attempts_(metrics.counter(
          "gomall_seckill_attempts_total",
          "Flash-sale purchase attempts by activity and outcome.",
          {"activity", "outcome"}
      )),
      orders_written_(metrics.counter(
          "gomall_seckill_orders_written_total",
          "Flash-sale reservations turned into orders, by activity.",
          {"activity"}
      )),
      failed_(metrics.counter(
          "gomall_seckill_reservations_failed_total",
          "Flash-sale reservations that could not become orders (unit returned), by activity.",
          {"activity"}
      )),
      handoff_(metrics
                   .histogram(
                       "gomall_seckill_handoff_seconds",
                       "Time from a shopper told \"queued\" to the order written.",
                       ports::latency_seconds_buckets(),
                       {}
                   )
                   .with({})),
      stream_clients_(
          metrics.gauge("gomall_seckill_sse_clients", "Shoppers' result streams (server-sent events) open.", {})
              .with({})
      ),
      frames_pushed_(
          metrics
              .counter("gomall_seckill_results_pushed_total", "Result frames pushed on shoppers' result streams.", {})
              .with({})
      ) {}

SeckillMetrics::Activity& SeckillMetrics::activity(std::int64_t activity_id) {
    const std::lock_guard lock(mutex_);
    auto& slot = activities_[activity_id];
    if (!slot) {
        slot = std::make_unique<Activity>();
        const auto id = std::to_string(activity_id);
        for (std::size_t i = 0; i < kAttemptOutcomes; ++i) {
            slot->attempts[i] = &attempts_.with({id, std::string(outcome_label(static_cast<AttemptOutcome>(i)))});
        }
        slot->orders_written = &orders_written_.with({id});
        slot->reservations_failed = &failed_.with({id});
    }
    return *slot;
}

void SeckillMetrics::order_written(std::int64_t activity_id, double handoff_seconds) {
    activity(activity_id).orders_written->inc();
    handoff_.observe(handoff_seconds);
}

void SeckillMetrics::reservation_failed(std::int64_t activity_id) {
    activity(activity_id).reservations_failed->inc();
}

}  // namespace gomall::services
