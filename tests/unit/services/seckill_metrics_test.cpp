#include "services/seckill_metrics.hpp"

#include <gtest/gtest.h>

#include "support/recording_metrics.hpp"

namespace gomall::services {
namespace {

TEST(SeckillMetrics, EveryPurchaseErrorMapsToANamedOutcome) {
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kSoldOut)), "sold_out");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kLimitReached)), "limit");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kNotStarted)), "not_started");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kEnded)), "ended");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kSeckillRateLimited)), "rate_limited");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kSeckillTokenRequired)), "token_missing");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kSeckillBusy)), "busy");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kUnavailable)), "busy");
    EXPECT_EQ(outcome_label(outcome_of(ErrorCode::kInternal)), "other");
    EXPECT_EQ(outcome_label(AttemptOutcome::kReserved), "reserved");
}

TEST(SeckillMetrics, AnActivitysChildrenAreTakenOnceForEveryOutcome) {
    testing::RecordingMetrics recorded;
    SeckillMetrics metrics(recorded);
    auto& first = metrics.activity(42);
    EXPECT_EQ(&first, &metrics.activity(42));
    EXPECT_EQ(recorded.children("gomall_seckill_attempts_total").size(), kAttemptOutcomes);

    SeckillMetrics::count(first, AttemptOutcome::kReserved);
    SeckillMetrics::count(first, AttemptOutcome::kSoldOut);
    SeckillMetrics::count(first, AttemptOutcome::kSoldOut);
    EXPECT_EQ(recorded.value("gomall_seckill_attempts_total", {"42", "reserved"}), 1);
    EXPECT_EQ(recorded.value("gomall_seckill_attempts_total", {"42", "sold_out"}), 2);
    EXPECT_EQ(recorded.value("gomall_seckill_attempts_total", {"42", "limit"}), 0);
}

TEST(SeckillMetrics, OrdersWrittenCarryTheirHandoffTime) {
    testing::RecordingMetrics recorded;
    SeckillMetrics metrics(recorded);
    metrics.order_written(7, 0.25);
    metrics.order_written(7, 0.5);
    metrics.reservation_failed(7);
    EXPECT_EQ(recorded.value("gomall_seckill_orders_written_total", {"7"}), 2);
    EXPECT_EQ(recorded.value("gomall_seckill_reservations_failed_total", {"7"}), 1);
    EXPECT_EQ(recorded.observations("gomall_seckill_handoff_seconds"), (std::vector<double>{0.25, 0.5}));
}

TEST(SeckillMetrics, ResultStreamsAreCountedOpenAndPushed) {
    testing::RecordingMetrics recorded;
    SeckillMetrics metrics(recorded);
    metrics.stream_opened();
    metrics.stream_opened();
    metrics.stream_closed();
    metrics.frame_pushed();
    EXPECT_EQ(recorded.value("gomall_seckill_sse_clients"), 1);
    EXPECT_EQ(recorded.value("gomall_seckill_results_pushed_total"), 1);
}

}  // namespace
}  // namespace gomall::services
