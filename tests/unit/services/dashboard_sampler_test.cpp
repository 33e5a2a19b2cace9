// The dashboard sampler: one snapshot per interval into the dashboard, on its own thread, and a
// reader that throws does not stop it.
#include "services/dashboard_sampler.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "advancing_clock.hpp"

namespace gomall::services {
namespace {

class CountingReader final : public ports::MetricsReader {
public:
    std::vector<ports::MetricFamilyValues> snapshot() const override {
        if (calls_.fetch_add(1) == 1) {
            throw std::runtime_error("a callback failed");
        }
        ports::MetricFamilyValues family;
        family.name = dashboard_metrics::kHttpInFlight;
        family.children.push_back({{}, 4, {}, 0});
        return {family};
    }
    int calls() const { return calls_.load(); }

private:
    mutable std::atomic<int> calls_{0};
};

TEST(DashboardSamplerTest, SampleOnceRecordsWhatTheReaderSays) {
    CountingReader reader;
    SaleDashboard dashboard;
    AdvancingClock clock;
    DashboardSampler sampler(reader, dashboard, clock);
    sampler.sample_once();
    EXPECT_EQ(dashboard.samples_recorded(), 1U);
    EXPECT_DOUBLE_EQ(*dashboard.shop(10).in_flight, 4);
}

TEST(DashboardSamplerTest, SamplesOnItsOwnClockAndSurvivesAFailedSnapshot) {
    CountingReader reader;
    SaleDashboard dashboard(DashboardSettings{std::chrono::milliseconds(10), std::chrono::seconds(10), 100});
    AdvancingClock clock;
    DashboardSampler sampler(reader, dashboard, clock);
    sampler.start();
    sampler.start();  // no second worker
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (dashboard.samples_recorded() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    sampler.stop();
    sampler.stop();
    EXPECT_GE(dashboard.samples_recorded(), 3U);
    EXPECT_EQ(reader.calls(), static_cast<int>(dashboard.samples_recorded()) + 1);  // the one that threw
}

}  // namespace
}  // namespace gomall::services
