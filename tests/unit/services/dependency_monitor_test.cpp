#include "services/dependency_monitor.hpp"

#include <atomic>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "support/recording_metrics.hpp"

namespace gomall::services {
namespace {

class SwitchableCheck final : public ports::HealthCheck {
public:
    explicit SwitchableCheck(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    std::string check() override {
        ++calls;
        if (throws) {
            throw std::runtime_error("connection refused");
        }
        return failure;
    }
    std::string failure;
    bool throws = false;
    std::atomic<int> calls{0};

private:
    std::string name_;
};

TEST(DependencyMonitor, EachDependencyIsUpOrDownByItsLastCheck) {
    testing::RecordingMetrics recorded;
    SwitchableCheck database("database");
    SwitchableCheck redis("redis");
    DependencyMonitor monitor({&database, &redis}, recorded, std::chrono::seconds(60));

    monitor.probe_all();
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"database"}), 1);
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"redis"}), 1);

    redis.failure = "PING timed out";
    database.throws = true;  // a check that throws counts as down, and does not stop the others
    monitor.probe_all();
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"database"}), 0);
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"redis"}), 0);

    redis.failure.clear();
    database.throws = false;
    monitor.probe_all();
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"database"}), 1);
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"redis"}), 1);
}

TEST(DependencyMonitor, StartProbesAtOnceAndStopJoinsWithoutWaitingForTheInterval) {
    testing::RecordingMetrics recorded;
    SwitchableCheck database("database");
    DependencyMonitor monitor({&database}, recorded, std::chrono::hours(1));
    const auto started = std::chrono::steady_clock::now();
    monitor.start();
    monitor.start();  // idempotent
    while (database.calls.load() == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(5)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    monitor.stop();
    monitor.stop();
    EXPECT_EQ(database.calls.load(), 1);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_EQ(recorded.value("gomall_dependency_up", {"database"}), 1);
}

}  // namespace
}  // namespace gomall::services
