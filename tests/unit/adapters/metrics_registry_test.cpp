// The registry: what it refuses at registration, handles, exact totals under concurrency, and
// callback families.
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/metrics/prometheus_registry.hpp"
#include "ports/metrics.hpp"

namespace gomall::adapters::metrics {
namespace {

using ports::CallbackType;
using ports::Sample;

const FamilySnapshot* find(const std::vector<FamilySnapshot>& families, const std::string& name) {
    for (const auto& family : families) {
        if (family.name == name) {
            return &family;
        }
    }
    return nullptr;
}

TEST(MetricsRegistry, RefusesInvalidNamesAndLabelsAtRegistration) {
    PrometheusRegistry registry;
    EXPECT_THROW((void)registry.gauge("", "x", {}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("9lives", "x", {}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("http-requests", "x", {}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("a.b", "x", {}), std::invalid_argument);
    EXPECT_THROW((void)registry.counter("gomall_requests", "no _total", {}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("ok", "x", {"__reserved"}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("ok", "x", {"a:b"}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("ok", "x", {"1a"}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("ok", "x", {""}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("ok", "x", {"route", "route"}), std::invalid_argument);
    EXPECT_THROW((void)registry.histogram("ok_seconds", "x", {1}, {"le"}), std::invalid_argument);
    EXPECT_THROW((void)registry.histogram("ok_seconds", "x", {1, 1}, {}), std::invalid_argument);
    EXPECT_THROW((void)registry.histogram("ok_seconds", "x", {2, 1}, {}), std::invalid_argument);
    EXPECT_THROW(
        (void)registry.histogram("ok_seconds", "x", {1, std::numeric_limits<double>::infinity()}, {}),
        std::invalid_argument
    );
    EXPECT_THROW((void)registry.histogram("ok_seconds", "x", {std::nan("")}, {}), std::invalid_argument);
    EXPECT_THROW(
        (void)registry.callback(CallbackType::kCounter, "cpu_seconds", "x", {}, [] { return std::vector<Sample>{}; }),
        std::invalid_argument
    );
    EXPECT_THROW(
        (void)registry.callback(CallbackType::kGauge, "bad name", "x", {}, [] { return std::vector<Sample>{}; }),
        std::invalid_argument
    );
    EXPECT_THROW((void)registry.callback(CallbackType::kGauge, "no_reader", "x", {}, nullptr), std::invalid_argument);
    // "le" is only reserved in histograms; nothing refused was registered.
    EXPECT_NO_THROW(registry.gauge("ok", "x", {"le"}).with({"1"}).set(1));
    EXPECT_EQ(registry.collect().size(), 1U);
}

TEST(MetricsRegistry, RefusesTheWrongNumberOfLabelValues) {
    PrometheusRegistry registry;
    auto& family = registry.counter("gomall_x_total", "x", {"a", "b"});
    EXPECT_THROW((void)family.with({"1"}), std::invalid_argument);
    EXPECT_THROW((void)family.with({"1", "2", "3"}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("g", "x", {}).with({"1"}), std::invalid_argument);
}

TEST(MetricsRegistry, AChildIsOneHandlePerSetOfLabelValues) {
    PrometheusRegistry registry;
    auto& family = registry.counter("gomall_x_total", "x", {"a"});
    ports::Counter& one = family.with({"1"});
    EXPECT_EQ(&one, &family.with({"1"}));
    EXPECT_NE(&one, &family.with({"2"}));
}

TEST(MetricsRegistry, RegisteringTheSameFamilyAgainReturnsItAnythingDifferentThrows) {
    PrometheusRegistry registry;
    auto& counter = registry.counter("gomall_x_total", "x", {"a"});
    EXPECT_EQ(&counter, &registry.counter("gomall_x_total", "other help is fine", {"a"}));
    EXPECT_THROW((void)registry.counter("gomall_x_total", "x", {"b"}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("gomall_x_total", "x", {"a"}), std::invalid_argument);

    auto& histogram = registry.histogram("gomall_h_seconds", "h", {1, 2}, {});
    EXPECT_EQ(&histogram, &registry.histogram("gomall_h_seconds", "h", {1, 2}, {}));
    EXPECT_THROW((void)registry.histogram("gomall_h_seconds", "h", {1, 3}, {}), std::invalid_argument);
    // Names a histogram writes are taken, both ways round.
    EXPECT_THROW((void)registry.gauge("gomall_h_seconds_count", "x", {}), std::invalid_argument);
    EXPECT_THROW((void)registry.gauge("gomall_h_seconds", "x", {}), std::invalid_argument);
    (void)registry.gauge("gomall_q_sum", "x", {});
    EXPECT_THROW((void)registry.histogram("gomall_q", "x", {1}, {}), std::invalid_argument);
    // A callback family's name is taken while it is registered.
    EXPECT_THROW(
        (void)registry.callback(CallbackType::kGauge, "gomall_q_sum", "x", {}, [] { return std::vector<Sample>{}; }),
        std::invalid_argument
    );
}

TEST(MetricsRegistry, ConcurrentIncrementsFromEightThreadsSumExactly) {
    PrometheusRegistry registry;
    auto& shared = registry.counter("gomall_shared_total", "x", {}).with({});
    auto& per_thread = registry.counter("gomall_per_thread_total", "x", {"thread"});
    auto& latency = registry.histogram("gomall_latency_seconds", "x", {1, 2, 3}, {}).with({});
    auto& level = registry.gauge("gomall_level", "x", {}).with({});
    constexpr int kThreads = 8;
    constexpr int kIncrements = 200'000;
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        ports::Counter& mine = per_thread.with({std::to_string(t)});
        threads.emplace_back([&, &mine = mine] {
            ready.fetch_add(1);
            while (ready.load() < kThreads) {
            }
            for (int i = 0; i < kIncrements; ++i) {
                shared.inc();
                mine.inc(2);
                latency.observe(static_cast<double>(i % 4));  // 0, 1, 2, 3: exact sums
                level.add(1);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const auto families = registry.collect();
    const auto* total = find(families, "gomall_shared_total");
    ASSERT_NE(total, nullptr);
    EXPECT_EQ(total->children.at(0).value, double{kThreads} * kIncrements);
    const auto* each = find(families, "gomall_per_thread_total");
    ASSERT_NE(each, nullptr);
    ASSERT_EQ(each->children.size(), std::size_t{kThreads});
    for (const auto& child : each->children) {
        EXPECT_EQ(child.value, 2.0 * kIncrements) << child.labels.at(0);
    }
    const auto* histogram = find(families, "gomall_latency_seconds");
    ASSERT_NE(histogram, nullptr);
    const auto quarter = static_cast<std::uint64_t>(kThreads) * kIncrements / 4;
    EXPECT_EQ(
        histogram->children.at(0).cumulative,
        (std::vector<std::uint64_t>{2 * quarter, 3 * quarter, 4 * quarter, 4 * quarter})
    );
    EXPECT_EQ(histogram->children.at(0).sum, 6.0 * static_cast<double>(quarter));
    const auto* gauge = find(families, "gomall_level");
    ASSERT_NE(gauge, nullptr);
    EXPECT_EQ(gauge->children.at(0).value, double{kThreads} * kIncrements);
}

TEST(MetricsRegistry, ConcurrentRegistrationAndScrapesAreSafe) {
    PrometheusRegistry registry;
    auto& family = registry.counter("gomall_activity_total", "x", {"activity"});
    std::atomic<bool> stop{false};
    std::thread scraper([&] {
        while (!stop.load()) {
            (void)registry.render();
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                family.with({std::to_string(t * 1000 + i)}).inc();
                (void)registry.gauge("gomall_gauge_" + std::to_string(t) + "_" + std::to_string(i), "x", {});
            }
        });
    }
    for (auto& writer : writers) {
        writer.join();
    }
    stop = true;
    scraper.join();
    const auto families = registry.collect();
    EXPECT_EQ(find(families, "gomall_activity_total")->children.size(), 800U);
    EXPECT_EQ(families.size(), 801U);
}

TEST(MetricsRegistry, CallbackGaugesAreReadAtEachScrape) {
    PrometheusRegistry registry;
    int depth = 3;
    const auto registration =
        registry.callback_gauge("gomall_queue_depth", "Queued.", [&depth] { return static_cast<double>(depth); });
    EXPECT_EQ(
        registry.render(), "# HELP gomall_queue_depth Queued.\n# TYPE gomall_queue_depth gauge\ngomall_queue_depth 3\n"
    );
    depth = 7;
    EXPECT_EQ(
        registry.render(), "# HELP gomall_queue_depth Queued.\n# TYPE gomall_queue_depth gauge\ngomall_queue_depth 7\n"
    );
}

TEST(MetricsRegistry, LabelledCallbackFamiliesAreSortedAndDeduplicated) {
    PrometheusRegistry registry;
    const auto registration = registry.callback(CallbackType::kGauge, "gomall_left", "Left.", {"activity"}, [] {
        return std::vector<Sample>{{{"9"}, 1}, {{"10"}, 2}, {{"9"}, 5}, {{"too", "many"}, 3}};
    });
    EXPECT_EQ(
        registry.render(),
        "# HELP gomall_left Left.\n# TYPE gomall_left gauge\n"
        "gomall_left{activity=\"10\"} 2\n"
        "gomall_left{activity=\"9\"} 1\n"
    );
    const auto counter = registry.callback(CallbackType::kCounter, "gomall_seen_total", "Seen.", {}, [] {
        return std::vector<Sample>{{{}, 12}};
    });
    EXPECT_NE(registry.render().find("# TYPE gomall_seen_total counter\ngomall_seen_total 12\n"), std::string::npos);
}

TEST(MetricsRegistry, DroppingACallbackRegistrationRemovesItsFamilyAndFreesTheName) {
    PrometheusRegistry registry;
    auto registration = registry.callback_gauge("gomall_rss", "x", [] { return 1.0; });
    EXPECT_THROW((void)registry.callback_gauge("gomall_rss", "x", [] { return 2.0; }), std::invalid_argument);
    registration.reset();
    EXPECT_EQ(registry.render(), "");
    auto moved = registry.callback_gauge("gomall_rss", "x", [] { return 2.0; });
    ports::MetricsRegistration kept = std::move(moved);
    EXPECT_EQ(registry.render(), "# HELP gomall_rss x\n# TYPE gomall_rss gauge\ngomall_rss 2\n");
}

TEST(MetricsRegistry, ACallbackIsNeverRunOnceItsRegistrationIsDropped) {
    PrometheusRegistry registry;
    std::atomic<bool> stop{false};
    std::thread scraper([&] {
        while (!stop.load()) {
            (void)registry.render();
        }
    });
    std::atomic<int> late_calls{0};
    for (int i = 0; i < 2000; ++i) {
        auto owner_alive = std::make_shared<std::atomic<bool>>(true);
        auto registration = registry.callback_gauge("gomall_depth", "x", [owner_alive, &late_calls] {
            if (!owner_alive->load()) {
                late_calls.fetch_add(1);
            }
            return 1.0;
        });
        registration.reset();  // waits for a scrape running the callback
        owner_alive->store(false);
    }
    stop = true;
    scraper.join();
    EXPECT_EQ(late_calls.load(), 0);
}

TEST(MetricsRegistry, AFailingCallbackLeavesOnlyItsOwnFamilyOut) {
    PrometheusRegistry registry;
    const auto failing =
        registry.callback_gauge("gomall_broken", "x", []() -> double { throw std::runtime_error("cannot read"); });
    const auto empty =
        registry.callback(CallbackType::kGauge, "gomall_nothing", "x", {}, [] { return std::vector<Sample>{}; });
    const auto fine = registry.callback_gauge("gomall_fine", "x", [] { return 1.0; });
    EXPECT_EQ(registry.render(), "# HELP gomall_fine x\n# TYPE gomall_fine gauge\ngomall_fine 1\n");
}

TEST(MetricsRegistry, ARegistrationMayOutliveItsRegistry) {
    auto registry = std::make_unique<PrometheusRegistry>();
    auto registration = registry->callback_gauge("gomall_x", "x", [] { return 1.0; });
    registry.reset();
    registration.reset();  // nothing to remove from, nothing to crash on
    SUCCEED();
}

TEST(MetricsRegistry, NullMetricsTakesEverythingAndRecordsNothing) {
    ports::NullMetrics metrics;
    ports::Metrics& port = metrics;
    port.counter("anything", "x", {"a"}).with({"1", "2"}).inc(5);
    port.gauge("g", "x", {}).with({}).set(1);
    port.histogram("h", "x", {1}, {}).with({}).observe(2);
    auto registration = port.callback_gauge("c", "x", [] { return 1.0; });
    registration.reset();
    SUCCEED();
}

TEST(MetricsRegistry, BucketHelpers) {
    EXPECT_EQ(ports::exponential_buckets(0.001, 10, 4), (std::vector<double>{0.001, 0.01, 0.1, 1}));
    EXPECT_EQ(ports::linear_buckets(1, 2, 3), (std::vector<double>{1, 3, 5}));
    EXPECT_TRUE(ports::exponential_buckets(1, 2, 0).empty());
    PrometheusRegistry registry;
    EXPECT_NO_THROW((void)registry.histogram("gomall_latency_seconds", "x", ports::latency_seconds_buckets(), {}));
}

}  // namespace
}  // namespace gomall::adapters::metrics
