// The snapshot ring: series become fixed slots, selections sum them per sample, the oldest samples
// go, and the slot cap holds against a flood of label values.
#include "services/metrics_history.hpp"

#include <cmath>
#include <string>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using Family = ports::MetricFamilyValues;

Family counter(
    std::string name, ports::LabelNames labels, std::vector<std::pair<ports::LabelValues, double>> children
) {
    Family family;
    family.name = std::move(name);
    family.kind = ports::MetricKind::kCounter;
    family.label_names = std::move(labels);
    for (auto& [values, value] : children) {
        family.children.push_back(Family::Child{values, value, {}, 0});
    }
    return family;
}

Family histogram(std::string name, std::vector<double> bounds, std::vector<std::uint64_t> cumulative) {
    Family family;
    family.name = std::move(name);
    family.kind = ports::MetricKind::kHistogram;
    family.bounds = std::move(bounds);
    family.children.push_back(Family::Child{{}, 0, std::move(cumulative), 0});
    return family;
}

TEST(MetricsHistoryTest, SumsTheSelectedSeriesPerSample) {
    MetricsHistory history(10, 100);
    history.record(
        {counter("c_total", {"route", "status"}, {{{"/a", "200"}, 3}, {{"/a", "500"}, 1}, {{"/b", "200"}, 7}})}, 1000
    );
    history.record(
        {counter("c_total", {"route", "status"}, {{{"/a", "200"}, 5}, {{"/a", "500"}, 2}, {{"/b", "200"}, 9}})}, 2000
    );
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history.at_ms(1), 2000);
    EXPECT_DOUBLE_EQ(history.sum(history.select("c_total"), 0), 11);
    EXPECT_DOUBLE_EQ(history.sum(history.select("c_total", {{"route", "/a"}}), 1), 7);
    EXPECT_DOUBLE_EQ(history.sum(history.select("c_total", {{"route", "/a"}, {"status", "500"}}), 1), 2);
    EXPECT_TRUE(history.select("c_total", {{"route", "/nope"}}).empty());
    EXPECT_TRUE(history.select("c_total", {{"no_such_label", "x"}}).empty());
    EXPECT_TRUE(history.select("unknown_total").empty());
    EXPECT_TRUE(history.has_label("c_total", "route"));
    EXPECT_FALSE(history.has_label("c_total", "activity"));

    const auto groups = history.group("c_total", {"route"});
    ASSERT_EQ(groups.size(), 2U);
    EXPECT_EQ(groups[0].key, ports::LabelValues{"/a"});
    EXPECT_DOUBLE_EQ(history.sum(groups[0].selection, 1), 7);
    EXPECT_EQ(groups[1].key, ports::LabelValues{"/b"});
    EXPECT_DOUBLE_EQ(history.sum(groups[1].selection, 1), 9);
}

TEST(MetricsHistoryTest, ASeriesThatDidNotExistYetIsMissingNotZero) {
    MetricsHistory history(10, 100);
    history.record({counter("c_total", {"k"}, {{{"x"}, 1}})}, 1000);
    history.record({counter("c_total", {"k"}, {{{"x"}, 1}, {{"y"}, 4}})}, 2000);
    const auto y = history.select("c_total", {{"k", "y"}});
    EXPECT_TRUE(std::isnan(history.sum(y, 0)));
    EXPECT_DOUBLE_EQ(history.sum(y, 1), 4);
}

TEST(MetricsHistoryTest, HistogramBucketsAreSummedElementWise) {
    MetricsHistory history(10, 100);
    Family two = histogram("h_seconds", {0.1, 1}, {1, 2, 3});
    two.label_names = {"route"};
    two.children[0].labels = {"/a"};
    two.children.push_back(Family::Child{{"/b"}, 0, {2, 2, 2}, 0});
    history.record({two}, 1000);
    EXPECT_EQ(history.buckets(history.select("h_seconds"), 0), (std::vector<double>{3, 4, 5}));
    EXPECT_EQ(history.bounds("h_seconds"), (std::vector<double>{0.1, 1}));
    EXPECT_TRUE(history.buckets(history.select("nothing"), 0).empty());
}

TEST(MetricsHistoryTest, KeepsOnlyTheLastSamples) {
    MetricsHistory history(3, 100);
    for (int i = 0; i < 10; ++i) {
        history.record({counter("c_total", {}, {{{}, static_cast<double>(i)}})}, std::int64_t{i} * 1000);
    }
    ASSERT_EQ(history.size(), 3U);
    EXPECT_EQ(history.at_ms(0), 7000);
    EXPECT_DOUBLE_EQ(history.sum(history.select("c_total"), 0), 7);
}

TEST(MetricsHistoryTest, TheSlotCapHoldsAgainstAFloodOfLabelValues) {
    MetricsHistory history(5, 50);
    std::vector<std::pair<ports::LabelValues, double>> children;
    for (int i = 0; i < 10'000; ++i) {
        children.push_back({{std::to_string(i)}, 1});
    }
    history.record({counter("c_total", {"k"}, children)}, 1000);
    history.record({counter("c_total", {"k"}, children)}, 2000);
    EXPECT_EQ(history.select("c_total").offsets.size(), 50U);
    EXPECT_EQ(history.dropped_series(), 10'000U - 50U);  // counted once each, not per sample
    EXPECT_DOUBLE_EQ(history.sum(history.select("c_total"), 1), 50);
}

TEST(MetricsHistoryTest, MalformedChildrenAndChangedFamiliesAreIgnored) {
    MetricsHistory history(5, 100);
    history.record({counter("c_total", {"k"}, {{{"x"}, 1}, {{"x", "extra"}, 9}})}, 1000);
    // The same name as a gauge, or with other labels: the first family seen is kept.
    Family changed = counter("c_total", {"other"}, {{{"z"}, 100}});
    history.record({changed}, 2000);
    EXPECT_DOUBLE_EQ(history.sum(history.select("c_total"), 0), 1);
    EXPECT_TRUE(std::isnan(history.sum(history.select("c_total"), 1)));
    // A histogram child whose bucket count does not fit its bounds.
    history.record({histogram("h_seconds", {0.1, 1}, {1, 2})}, 3000);
    EXPECT_TRUE(history.buckets(history.select("h_seconds"), 2).empty());
}

TEST(MetricsHistoryTest, RefusesAnEmptyCapacity) {
    EXPECT_THROW(MetricsHistory(0, 10), std::invalid_argument);
    EXPECT_THROW(MetricsHistory(10, 0), std::invalid_argument);
}

}  // namespace
}  // namespace gomall::services
