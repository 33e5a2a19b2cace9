// Quantiles from cumulative buckets as Prometheus' histogram_quantile() computes them, and the
// increases between two snapshots (with counter resets).
#include "services/histogram_quantile.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

const std::vector<double> kBounds{0.1, 0.5, 1.0};

TEST(HistogramQuantileTest, InterpolatesInsideTheBucketTheRankFallsIn) {
    // 10 observations: 4 <= 0.1, 4 in (0.1, 0.5], 2 in (0.5, 1].
    const std::vector<double> cumulative{4, 8, 10, 10};
    // p50: rank 5, the first of the second bucket's 4 -> 0.1 + 0.4 * 1/4.
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, kBounds, cumulative), 0.2);
    // p99: rank 9.9 in the third bucket (8..10) -> 0.5 + 0.5 * 1.9/2.
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, kBounds, cumulative), 0.975);
    // The lowest bucket starts at zero.
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.2, kBounds, cumulative), 0.05);
}

TEST(HistogramQuantileTest, SkipsEmptyBuckets) {
    const std::vector<double> cumulative{0, 0, 4, 4};
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.5, kBounds, cumulative), 0.75);
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.0, kBounds, cumulative), 0.5);
}

TEST(HistogramQuantileTest, ARankInTheInfiniteBucketAnswersTheHighestBound) {
    const std::vector<double> cumulative{0, 0, 1, 10};
    EXPECT_DOUBLE_EQ(*histogram_quantile(0.99, kBounds, cumulative), 1.0);
}

TEST(HistogramQuantileTest, NoObservationsOrBadInputIsNoAnswer) {
    EXPECT_FALSE(histogram_quantile(0.5, kBounds, {0, 0, 0, 0}));
    EXPECT_FALSE(histogram_quantile(0.5, kBounds, {1, 2, 3}));  // one bucket short
    EXPECT_FALSE(histogram_quantile(0.5, {}, {1}));
    EXPECT_FALSE(histogram_quantile(1.5, kBounds, {1, 1, 1, 1}));
    EXPECT_FALSE(histogram_quantile(-0.1, kBounds, {1, 1, 1, 1}));
    EXPECT_FALSE(histogram_quantile(std::nan(""), kBounds, {1, 1, 1, 1}));
}

TEST(HistogramQuantileTest, BucketIncreaseIsTheDifferenceOrEverythingAfterAReset) {
    EXPECT_EQ(bucket_increase({1, 2, 3, 3}, {2, 5, 7, 8}), (std::vector<double>{1, 3, 4, 5}));
    // The total went down: the process restarted, everything now counted is new.
    EXPECT_EQ(bucket_increase({5, 6, 7, 9}, {1, 1, 2, 2}), (std::vector<double>{1, 1, 2, 2}));
    EXPECT_TRUE(bucket_increase({}, {1, 2}).empty());
    EXPECT_TRUE(bucket_increase({1, 2}, {1, 2, 3}).empty());
}

TEST(HistogramQuantileTest, CounterIncreaseHandlesResetsAndMissingValues) {
    EXPECT_DOUBLE_EQ(counter_increase(10, 15), 5);
    EXPECT_DOUBLE_EQ(counter_increase(10, 3), 3);
    EXPECT_TRUE(std::isnan(counter_increase(std::numeric_limits<double>::quiet_NaN(), 3)));
    EXPECT_TRUE(std::isnan(counter_increase(3, std::numeric_limits<double>::quiet_NaN())));
}

}  // namespace
}  // namespace gomall::services
