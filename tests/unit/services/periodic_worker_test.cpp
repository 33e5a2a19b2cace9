// The periodic worker: when the first step comes, that a throwing step does not end the loop, one
// thread however often start() is called, and a stop() that does not wait out the interval.
#include "services/periodic_worker.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

template <class Predicate>
bool within(std::chrono::milliseconds limit, Predicate predicate) {
    const auto end = SteadyClock::now() + limit;
    while (!predicate()) {
        if (SteadyClock::now() > end) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

TEST(PeriodicWorkerTest, StepsEveryIntervalFromTheStartAndGoesOnPastAThrowingStep) {
    std::atomic<int> steps{0};
    PeriodicWorker worker("test worker", PeriodicSchedule{10ms, true, false}, [&] {
        if (steps.fetch_add(1) == 1) {
            throw std::runtime_error("one bad step");
        }
    });
    worker.start();
    worker.start();  // no second thread
    EXPECT_TRUE(within(5s, [&] { return steps.load() >= 4; }));
    worker.stop();
    worker.stop();
    const int after_stop = steps.load();
    std::this_thread::sleep_for(40ms);
    EXPECT_EQ(steps.load(), after_stop) << "a step after stop()";
}

TEST(PeriodicWorkerTest, AFirstStepAfterTheIntervalDoesNotComeAtStartAndStopDoesNotWaitForIt) {
    std::atomic<int> steps{0};
    PeriodicWorker worker("test worker", PeriodicSchedule{1h, false, false}, [&] { ++steps; });
    worker.start();
    std::this_thread::sleep_for(30ms);
    const auto began = SteadyClock::now();
    worker.stop();
    EXPECT_LT(SteadyClock::now() - began, 1s);
    EXPECT_EQ(steps.load(), 0);
}

TEST(PeriodicWorkerTest, AtAFixedRateAStepThatOverranSkipsTheTicksItMissed) {
    std::atomic<int> steps{0};
    PeriodicWorker worker("test worker", PeriodicSchedule{10ms, true, true}, [&] {
        if (steps.fetch_add(1) == 0) {
            std::this_thread::sleep_for(100ms);  // ten ticks missed
        }
    });
    const auto started = SteadyClock::now();
    worker.start();
    ASSERT_TRUE(within(5s, [&] { return steps.load() >= 2; }));
    const auto second_step = SteadyClock::now() - started;
    worker.stop();
    EXPECT_GE(second_step, 100ms);
    EXPECT_LE(steps.load(), 4) << "missed ticks were made up in a burst";
}

TEST(PeriodicWorkerTest, RefusesAnIntervalUnderOneMillisecond) {
    EXPECT_THROW(PeriodicWorker("test worker", PeriodicSchedule{0ms, true, false}, [] {}), std::invalid_argument);
}

}  // namespace
}  // namespace gomall::services
