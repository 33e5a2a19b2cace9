// The text exposition format 0.0.4, line for line, for each metric type.
#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "adapters/metrics/exposition.hpp"
#include "adapters/metrics/prometheus_registry.hpp"

namespace gomall::adapters::metrics {
namespace {

TEST(MetricsExposition, AnUnlabelledCounterIsExposedFromRegistrationAndCounts) {
    PrometheusRegistry registry;
    auto& sold = registry.counter("gomall_units_sold_total", "Units sold.", {}).with({});
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_units_sold_total Units sold.\n"
        "# TYPE gomall_units_sold_total counter\n"
        "gomall_units_sold_total 0\n"
    );
    sold.inc();
    sold.inc(41);
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_units_sold_total Units sold.\n"
        "# TYPE gomall_units_sold_total counter\n"
        "gomall_units_sold_total 42\n"
    );
}

TEST(MetricsExposition, LabelledCountersAreSortedByLabelValuesInLabelNameOrder) {
    PrometheusRegistry registry;
    auto& requests = registry.counter("gomall_http_requests_total", "HTTP requests.", {"route", "method", "status"});
    requests.with({"/api/product/:id", "GET", "200"}).inc(3);
    requests.with({"/api/cart", "POST", "201"}).inc();
    requests.with({"/api/product/:id", "GET", "404"}).inc(2);
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_http_requests_total HTTP requests.\n"
        "# TYPE gomall_http_requests_total counter\n"
        "gomall_http_requests_total{route=\"/api/cart\",method=\"POST\",status=\"201\"} 1\n"
        "gomall_http_requests_total{route=\"/api/product/:id\",method=\"GET\",status=\"200\"} 3\n"
        "gomall_http_requests_total{route=\"/api/product/:id\",method=\"GET\",status=\"404\"} 2\n"
    );
}

TEST(MetricsExposition, GaugesSetAndAdd) {
    PrometheusRegistry registry;
    auto& in_flight = registry.gauge("gomall_http_in_flight", "Requests in flight.", {}).with({});
    auto& left = registry.gauge("gomall_seckill_units_left", "Units left.", {"activity"});
    in_flight.add(1);
    in_flight.add(1);
    in_flight.add(-1);
    left.with({"7"}).set(2.5);
    left.with({"12"}).set(-3);
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_http_in_flight Requests in flight.\n"
        "# TYPE gomall_http_in_flight gauge\n"
        "gomall_http_in_flight 1\n"
        "# HELP gomall_seckill_units_left Units left.\n"
        "# TYPE gomall_seckill_units_left gauge\n"
        "gomall_seckill_units_left{activity=\"12\"} -3\n"
        "gomall_seckill_units_left{activity=\"7\"} 2.5\n"
    );
}

TEST(MetricsExposition, HistogramBucketsAreCumulativeUpperInclusiveWithInfSumAndCount) {
    PrometheusRegistry registry;
    auto& wait = registry.histogram("gomall_wait_seconds", "Wait.", {0.25, 0.5, 1}, {}).with({});
    wait.observe(0.125);                                     // le 0.25
    wait.observe(0.25);                                      // le 0.25: a bound is its own bucket's
    wait.observe(0.75);                                      // le 1
    wait.observe(3);                                         // +Inf only
    wait.observe(std::numeric_limits<double>::quiet_NaN());  // dropped
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_wait_seconds Wait.\n"
        "# TYPE gomall_wait_seconds histogram\n"
        "gomall_wait_seconds_bucket{le=\"0.25\"} 2\n"
        "gomall_wait_seconds_bucket{le=\"0.5\"} 2\n"
        "gomall_wait_seconds_bucket{le=\"1\"} 3\n"
        "gomall_wait_seconds_bucket{le=\"+Inf\"} 4\n"
        "gomall_wait_seconds_sum 4.125\n"
        "gomall_wait_seconds_count 4\n"
    );
}

TEST(MetricsExposition, HistogramLabelsComeBeforeLe) {
    PrometheusRegistry registry;
    auto& latency = registry.histogram("gomall_route_seconds", "Latency.", {0.005, 0.1}, {"route", "method"});
    latency.with({"/api/cart", "GET"}).observe(0.00390625);  // 2^-8 and 2^-4: an exact sum
    latency.with({"/api/cart", "GET"}).observe(0.0625);
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_route_seconds Latency.\n"
        "# TYPE gomall_route_seconds histogram\n"
        "gomall_route_seconds_bucket{route=\"/api/cart\",method=\"GET\",le=\"0.005\"} 1\n"
        "gomall_route_seconds_bucket{route=\"/api/cart\",method=\"GET\",le=\"0.1\"} 2\n"
        "gomall_route_seconds_bucket{route=\"/api/cart\",method=\"GET\",le=\"+Inf\"} 2\n"
        "gomall_route_seconds_sum{route=\"/api/cart\",method=\"GET\"} 0.06640625\n"
        "gomall_route_seconds_count{route=\"/api/cart\",method=\"GET\"} 2\n"
    );
}

TEST(MetricsExposition, AnEmptyHistogramHasZeroBuckets) {
    PrometheusRegistry registry;
    (void)registry.histogram("gomall_empty_seconds", "Nothing yet.", {1}, {});
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_empty_seconds Nothing yet.\n"
        "# TYPE gomall_empty_seconds histogram\n"
        "gomall_empty_seconds_bucket{le=\"1\"} 0\n"
        "gomall_empty_seconds_bucket{le=\"+Inf\"} 0\n"
        "gomall_empty_seconds_sum 0\n"
        "gomall_empty_seconds_count 0\n"
    );
}

TEST(MetricsExposition, LabelValuesEscapeBackslashQuoteAndNewlineHelpEscapesBackslashAndNewline) {
    PrometheusRegistry registry;
    registry.gauge("gomall_odd", "Help with \\ a backslash,\na newline and \"quotes\".", {"value"})
        .with({"a\\b\"c\nd\te"})
        .set(1);
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_odd Help with \\\\ a backslash,\\na newline and \"quotes\".\n"
        "# TYPE gomall_odd gauge\n"
        "gomall_odd{value=\"a\\\\b\\\"c\\nd\te\"} 1\n"
    );
    EXPECT_EQ(escape_label_value("plain /api/x?y=1"), "plain /api/x?y=1");
    EXPECT_EQ(escape_label_value("\\\"\n"), "\\\\\\\"\\n");
    EXPECT_EQ(escape_help("\"q\""), "\"q\"");
}

TEST(MetricsExposition, AFamilyWithoutChildrenIsLeftOut) {
    PrometheusRegistry registry;
    (void)registry.counter("gomall_unused_total", "Never used.", {"reason"});
    EXPECT_EQ(registry.render(), "");
}

TEST(MetricsExposition, FamiliesAreSortedByName) {
    PrometheusRegistry registry;
    (void)registry.gauge("zz_last", "Z.", {});
    (void)registry.counter("aa_first_total", "A.", {});
    const auto reg = registry.callback_gauge("mm_middle", "M.", [] { return 5.0; });
    EXPECT_EQ(
        registry.render(),
        "# HELP aa_first_total A.\n# TYPE aa_first_total counter\naa_first_total 0\n"
        "# HELP mm_middle M.\n# TYPE mm_middle gauge\nmm_middle 5\n"
        "# HELP zz_last Z.\n# TYPE zz_last gauge\nzz_last 0\n"
    );
}

TEST(MetricsExposition, ValuesAreWrittenAsPrometheusParsesThem) {
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(42), "42");
    EXPECT_EQ(format_value(-1.5), "-1.5");
    EXPECT_EQ(format_value(0.1), "0.1");
    EXPECT_EQ(format_value(1e-05), "1e-05");
    EXPECT_EQ(format_value(123456789012.0), "123456789012");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(MetricsExposition, WriteTextFromSnapshots) {
    FamilySnapshot histogram;
    histogram.name = "h";
    histogram.help = "H.";
    histogram.type = MetricType::kHistogram;
    histogram.label_names = {"k"};
    histogram.bounds = {1, 2};
    histogram.children.push_back({{"v"}, 0, {1, 1, 5}, 9.5});
    FamilySnapshot empty;
    empty.name = "e";
    EXPECT_EQ(
        write_text({histogram, empty}),
        "# HELP h H.\n# TYPE h histogram\n"
        "h_bucket{k=\"v\",le=\"1\"} 1\n"
        "h_bucket{k=\"v\",le=\"2\"} 1\n"
        "h_bucket{k=\"v\",le=\"+Inf\"} 5\n"
        "h_sum{k=\"v\"} 9.5\n"
        "h_count{k=\"v\"} 5\n"
    );
}

TEST(MetricsExposition, NamesAreCheckedAgainstThePrometheusGrammar) {
    for (const char* good : {"a", "_a", ":a", "a:b_c9", "process_cpu_seconds_total", "A_Z"}) {
        EXPECT_TRUE(is_valid_metric_name(good)) << good;
    }
    for (const char* bad : {"", "9a", "a-b", "a b", "a.b", "é", "a{b}"}) {
        EXPECT_FALSE(is_valid_metric_name(bad)) << bad;
    }
    for (const char* good : {"a", "_a", "route", "le", "A9_b", "_"}) {
        EXPECT_TRUE(is_valid_label_name(good)) << good;
    }
    for (const char* bad : {"", "9a", "a:b", "__name__", "__x", "a-b", "a b"}) {
        EXPECT_FALSE(is_valid_label_name(bad)) << bad;
    }
}

}  // namespace
}  // namespace gomall::adapters::metrics
