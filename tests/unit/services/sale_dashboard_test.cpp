// The dashboard's figures from a history of snapshots: rates over the window, per-interval lines,
// p99 from histogram buckets, per-activity selection, and "no data" when a metric is absent.
#include "services/sale_dashboard.hpp"

#include <gtest/gtest.h>

#include "core/time.hpp"

namespace gomall::services {
namespace {

using Family = ports::MetricFamilyValues;
namespace names = dashboard_metrics;

const TimePoint kStart = from_unix_seconds(1'800'000'000);

Family family(std::string name, ports::MetricKind kind, ports::LabelNames labels) {
    Family f;
    f.name = std::move(name);
    f.kind = kind;
    f.label_names = std::move(labels);
    return f;
}

void add(Family& f, ports::LabelValues labels, double value) {
    f.children.push_back(Family::Child{std::move(labels), value, {}, 0});
}

void add_histogram(Family& f, ports::LabelValues labels, std::vector<std::uint64_t> cumulative) {
    f.children.push_back(Family::Child{std::move(labels), 0, std::move(cumulative), 0});
}

/// The shop after `second` seconds at 10 GET /a per second (one in ten a 500) and 2 POST /b per
/// second, all GET /a within 0.1 s and all POST /b in (0.1, 0.5].
std::vector<Family> shop_at(int second) {
    auto requests = family(names::kHttpRequests, ports::MetricKind::kCounter, {"route", "method", "status"});
    add(requests, {"/a", "GET", "200"}, 9.0 * second);
    add(requests, {"/a", "GET", "500"}, 1.0 * second);
    add(requests, {"/b", "POST", "201"}, 2.0 * second);
    auto duration = family(names::kHttpDuration, ports::MetricKind::kHistogram, {"route", "method"});
    duration.bounds = {0.1, 0.5, 1};
    const auto a = std::uint64_t{10} * static_cast<std::uint64_t>(second);
    const auto b = std::uint64_t{2} * static_cast<std::uint64_t>(second);
    add_histogram(duration, {"/a", "GET"}, {a, a, a, a});
    add_histogram(duration, {"/b", "POST"}, {0, b, b, b});
    auto in_flight = family(names::kHttpInFlight, ports::MetricKind::kGauge, {});
    add(in_flight, {}, 3);
    auto unrelated = family("gomall_process_open_fds", ports::MetricKind::kGauge, {});
    add(unrelated, {}, 12);
    return {requests, duration, in_flight, unrelated};
}

TEST(SaleDashboardTest, ShopRatesErrorsAndP99OverTheWindow) {
    SaleDashboard dashboard;
    for (int s = 0; s <= 20; ++s) {
        dashboard.record(shop_at(s), kStart + std::chrono::seconds(s));
    }
    EXPECT_EQ(dashboard.samples_recorded(), 21U);
    const auto view = dashboard.shop(10);
    EXPECT_EQ(view.window_seconds, 10);
    EXPECT_EQ(view.sampled_at_ms, (1'800'000'020LL * 1000));
    EXPECT_DOUBLE_EQ(*view.request_rate, 12);
    EXPECT_DOUBLE_EQ(*view.error_rate, 1);
    EXPECT_DOUBLE_EQ(*view.error_ratio, 1.0 / 12);
    // 100 of 120 observations in the first bucket: p50 there, p99 in the second.
    EXPECT_LT(*view.p50_seconds, 0.1);
    EXPECT_GT(*view.p99_seconds, 0.1);
    EXPECT_LE(*view.p99_seconds, 0.5);
    EXPECT_DOUBLE_EQ(*view.in_flight, 3);
    EXPECT_FALSE(view.connections_open) << "an absent gauge is no data, not zero";

    ASSERT_EQ(view.routes.size(), 2U);
    EXPECT_EQ(view.routes[0].route, "/a");  // busiest first
    EXPECT_EQ(view.routes[0].method, "GET");
    EXPECT_DOUBLE_EQ(*view.routes[0].request_rate, 10);
    EXPECT_DOUBLE_EQ(*view.routes[0].error_rate, 1);
    EXPECT_DOUBLE_EQ(*view.routes[0].requests, 200);
    EXPECT_LE(*view.routes[0].p99_seconds, 0.1);
    EXPECT_EQ(view.routes[1].route, "/b");
    EXPECT_DOUBLE_EQ(*view.routes[1].request_rate, 2);
    EXPECT_DOUBLE_EQ(*view.routes[1].error_rate, 0) << "no 5xx series for the route means none";
    EXPECT_GT(*view.routes[1].p99_seconds, 0.1);

    // One point per interval.
    ASSERT_EQ(view.at_ms.size(), 20U);
    ASSERT_EQ(view.request_rate_line.size(), 20U);
    EXPECT_DOUBLE_EQ(*view.request_rate_line.back(), 12);
    EXPECT_DOUBLE_EQ(*view.error_rate_line.back(), 1);
    ASSERT_TRUE(view.p99_line.back());
}

TEST(SaleDashboardTest, TheWindowIsClampedToTheHistory) {
    SaleDashboard dashboard(DashboardSettings{std::chrono::milliseconds(1000), std::chrono::seconds(30), 4096});
    EXPECT_EQ(dashboard.shop(0).window_seconds, 1);
    EXPECT_EQ(dashboard.shop(100000).window_seconds, 30);
    EXPECT_EQ(dashboard.max_window_seconds(), 30);
    // The ring keeps 31 samples: 30 intervals.
    for (int s = 0; s <= 100; ++s) {
        dashboard.record(shop_at(s), kStart + std::chrono::seconds(s));
    }
    EXPECT_EQ(dashboard.shop(30).at_ms.size(), 30U);
}

TEST(SaleDashboardTest, NoSamplesOrNoMetricsIsNoData) {
    SaleDashboard dashboard;
    auto view = dashboard.shop(10);
    EXPECT_FALSE(view.sampled_at_ms);
    EXPECT_FALSE(view.request_rate);
    EXPECT_FALSE(view.error_rate);
    EXPECT_FALSE(view.p99_seconds);
    EXPECT_TRUE(view.routes.empty());
    // One sample: values but no rates yet.
    dashboard.record(shop_at(1), kStart);
    view = dashboard.shop(10);
    EXPECT_TRUE(view.sampled_at_ms);
    EXPECT_FALSE(view.request_rate);
    EXPECT_DOUBLE_EQ(*view.in_flight, 3);

    const auto sale = dashboard.seckill(7, 10);
    EXPECT_EQ(sale.activity_id, 7);
    EXPECT_FALSE(sale.units_left);
    EXPECT_FALSE(sale.orders_written);
    EXPECT_FALSE(sale.handoff_p99_seconds);
    EXPECT_TRUE(sale.attempts.empty());
}

/// Activity 7 sells one unit a second from 10 (3 attempts a second: 1 reserved, 2 sold out);
/// activity 8 sits idle with 50 left. The hand-off histogram has no activity label.
std::vector<Family> sale_at(int second) {
    auto attempts = family(names::kSeckillAttempts, ports::MetricKind::kCounter, {"activity", "outcome"});
    add(attempts, {"7", "reserved"}, second);
    add(attempts, {"7", "sold_out"}, 2.0 * second);
    add(attempts, {"8", "not_started"}, 100);
    auto units = family(names::kSeckillUnitsLeft, ports::MetricKind::kGauge, {"activity"});
    add(units, {"7"}, std::max(0, 10 - second));
    add(units, {"8"}, 50);
    auto written = family(names::kSeckillOrdersWritten, ports::MetricKind::kCounter, {"activity"});
    if (second > 0) {
        add(written, {"7"}, std::min(second, 10));  // the child appears with the first order
    }
    auto depth = family(names::kSeckillQueueDepth, ports::MetricKind::kGauge, {});
    add(depth, {}, 2);
    auto handoff = family(names::kSeckillHandoff, ports::MetricKind::kHistogram, {});
    handoff.bounds = {0.01, 0.1};
    const auto n = static_cast<std::uint64_t>(std::min(second, 10));
    add_histogram(handoff, {}, {n, n, n});
    return {attempts, units, written, depth, handoff};
}

TEST(SaleDashboardTest, OneActivitysFiguresFromItsOwnSeries) {
    SaleDashboard dashboard;
    for (int s = 0; s <= 12; ++s) {
        dashboard.record(sale_at(s), kStart + std::chrono::seconds(s));
    }
    const auto view = dashboard.seckill(7, 5);
    EXPECT_DOUBLE_EQ(*view.units_left, 0);
    EXPECT_DOUBLE_EQ(*view.orders_written, 10);
    EXPECT_DOUBLE_EQ(*view.orders_written_rate, 3.0 / 5);  // 7 -> 10 over the last 5 s
    EXPECT_DOUBLE_EQ(*view.queue_depth, 2);
    EXPECT_FALSE(view.sse_clients);
    ASSERT_EQ(view.attempts.size(), 2U);
    EXPECT_EQ(view.attempts[0].outcome, "reserved");
    EXPECT_DOUBLE_EQ(*view.attempts[0].total, 12);
    EXPECT_DOUBLE_EQ(*view.attempts[0].rate, 1);
    EXPECT_EQ(view.attempts[1].outcome, "sold_out");
    EXPECT_DOUBLE_EQ(*view.attempts[1].rate, 2);
    ASSERT_EQ(view.attempts[1].rate_line.size(), 12U);
    EXPECT_DOUBLE_EQ(*view.attempts[1].rate_line.front(), 2);
    EXPECT_LE(*view.handoff_p99_seconds, 0.01);
    EXPECT_DOUBLE_EQ(*view.handoff_count, 3);
    ASSERT_EQ(view.units_left_line.size(), 12U);
    EXPECT_DOUBLE_EQ(*view.units_left_line.front(), 9);
    EXPECT_DOUBLE_EQ(*view.units_left_line.back(), 0);
    // The first interval's order counter went from "no child" to 1: an increase of 1, not no data.
    EXPECT_DOUBLE_EQ(*view.orders_written_rate_line.front(), 1);
    // Nothing measured in the last interval: no p99 then.
    EXPECT_FALSE(view.handoff_p99_line.back());

    const auto idle = dashboard.seckill(8, 5);
    EXPECT_DOUBLE_EQ(*idle.units_left, 50);
    EXPECT_FALSE(idle.orders_written);
    ASSERT_EQ(idle.attempts.size(), 1U);
    EXPECT_DOUBLE_EQ(*idle.attempts[0].rate, 0);

    const auto unknown = dashboard.seckill(9, 5);
    EXPECT_FALSE(unknown.units_left);
    EXPECT_TRUE(unknown.attempts.empty());
}

TEST(SaleDashboardTest, OnlyTheDashboardsFamiliesAreKept) {
    EXPECT_TRUE(SaleDashboard::wanted("gomall_http_requests_total"));
    EXPECT_TRUE(SaleDashboard::wanted("gomall_seckill_units_left"));
    EXPECT_FALSE(SaleDashboard::wanted("gomall_process_open_fds"));
    EXPECT_FALSE(SaleDashboard::wanted("gomall_orders_total"));
}

TEST(SaleDashboardTest, RefusesANonPositiveInterval) {
    EXPECT_THROW(
        SaleDashboard(DashboardSettings{std::chrono::milliseconds(0), std::chrono::seconds(300), 10}),
        std::invalid_argument
    );
    EXPECT_THROW(
        SaleDashboard(DashboardSettings{std::chrono::milliseconds(1000), std::chrono::seconds(0), 10}),
        std::invalid_argument
    );
}

}  // namespace
}  // namespace gomall::services
