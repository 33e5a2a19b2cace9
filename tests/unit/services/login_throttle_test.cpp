// Tests of the failed-login throttle (per account and address, per address), driven by a fake clock.
#include "services/login_throttle.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

constexpr const char* kStranger = "203.0.113.7";
constexpr const char* kOwner = "198.51.100.1";

void fail(LoginThrottle& throttle, const std::string& username, const std::string& address, int times = 1) {
    for (int i = 0; i < times; ++i) {
        auto attempt = throttle.begin(username, address);
        ASSERT_TRUE(attempt.admitted()) << username << " from " << address << ", failure " << i;
        attempt.failed();
    }
}

// Built field by field: g++ 12 warns (-Wmissing-field-initializers) on designated initializers that skip fields.
template <class Change>
LoginThrottleSettings settings_with(Change change) {
    LoginThrottleSettings settings;
    change(settings);
    return settings;
}

// Zero when an attempt would be admitted (that attempt is then abandoned and counts for nothing).
std::chrono::seconds wait_of(LoginThrottle& throttle, const std::string& username, const std::string& address) {
    const auto attempt = throttle.begin(username, address);
    return attempt.admitted() ? 0s : attempt.retry_after();
}

TEST(LoginThrottleTest, FiveFailuresAreFreeThenEachWaitDoubles) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(wait_of(throttle, "alice", kStranger), 0s) << i;
        fail(throttle, "alice", kStranger);
    }
    for (const auto expected : {1s, 2s, 4s, 8s, 16s}) {
        EXPECT_EQ(wait_of(throttle, "alice", kStranger), expected);
        clock.advance(expected - 1ms);
        EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s) << "a part of a second is rounded up";
        clock.advance(1ms);
        fail(throttle, "alice", kStranger);
    }
}

TEST(LoginThrottleTest, TheWaitStopsAtTheMaximum) {
    AdvancingClock clock;
    LoginThrottle throttle(clock, settings_with([](auto& s) { s.delay_max = 10s; }));
    fail(throttle, "alice", kStranger, 5);
    for (int i = 0; i < 40; ++i) {
        clock.advance(10s);
        fail(throttle, "alice", kStranger);
    }
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 10s);
}

TEST(LoginThrottleTest, AttemptsInsideTheWaitAreRefusedWithoutCounting) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    fail(throttle, "alice", kStranger, 5);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s);
    }
    clock.advance(1s);
    fail(throttle, "alice", kStranger);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 2s);
}

TEST(LoginThrottleTest, AnotherAddressIsNotAffected) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    fail(throttle, "alice", kStranger, 5);
    clock.advance(1s);
    fail(throttle, "alice", kStranger, 1);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 2s);
    auto owner = throttle.begin("alice", kOwner);
    EXPECT_TRUE(owner.admitted());
    owner.succeeded();
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 2s) << "the owner's success is not the stranger's";
}

TEST(LoginThrottleTest, UsernamesDifferingOnlyInCaseAreOneAccount) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    fail(throttle, "Alice", kStranger, 2);
    fail(throttle, "ALICE", kStranger, 2);
    fail(throttle, "alice", kStranger, 1);
    EXPECT_EQ(wait_of(throttle, "aLiCe", kStranger), 1s);
    EXPECT_EQ(wait_of(throttle, "bob", kStranger), 0s);
}

TEST(LoginThrottleTest, TheAddressAllowanceCoversAllAccountsTogether) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    for (int i = 0; i < 30; ++i) {
        fail(throttle, "user" + std::to_string(i), kStranger);
    }
    EXPECT_EQ(wait_of(throttle, "someone-new", kStranger), 1s);
    EXPECT_EQ(wait_of(throttle, "someone-new", kOwner), 0s);
    clock.advance(1s);
    fail(throttle, "another", kStranger);
    EXPECT_EQ(wait_of(throttle, "someone-new", kStranger), 2s);
}

TEST(LoginThrottleTest, ASuccessClearsThePairButNotTheAddress) {
    AdvancingClock clock;
    LoginThrottle throttle(clock, settings_with([](auto& s) { s.address_free_failures = 6; }));
    fail(throttle, "alice", kStranger, 4);
    auto success = throttle.begin("alice", kStranger);
    ASSERT_TRUE(success.admitted());
    success.succeeded();
    fail(throttle, "alice", kStranger, 1);  // the pair starts again at one failure, the address is at five
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 0s);
    fail(throttle, "bob", kStranger, 1);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s) << "six failures from the address";
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterAQuietHour) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    fail(throttle, "alice", kStranger, 5);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s);
    EXPECT_EQ(throttle.tracked_keys(), 2U);
    clock.advance(1h - 1ms);
    fail(throttle, "alice", kStranger);
    clock.advance(1h);
    // Forgotten: five failures are free again.
    fail(throttle, "alice", kStranger, 5);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s);

    clock.advance(1h);
    fail(throttle, "bob", kOwner);  // touching the table drops quiet keys
    EXPECT_EQ(throttle.tracked_keys(), 2U);
}

TEST(LoginThrottleTest, NoWaitIsForgottenBeforeItEnds) {
    AdvancingClock clock;
    LoginThrottle throttle(clock, settings_with([](auto& s) {
                               s.delay_base = 60s;
                               s.delay_max = 120s;
                               s.quiet_period = 10s;
                           }));
    fail(throttle, "alice", kStranger, 5);
    clock.advance(60s);
    fail(throttle, "alice", kStranger);  // the next wait is 120 s, longer than the quiet period
    clock.advance(100s);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 20s);
}

TEST(LoginThrottleTest, NeverTracksMoreThanMaxKeys) {
    AdvancingClock clock;
    LoginThrottle throttle(clock, settings_with([](auto& s) { s.max_keys = 3; }));
    for (int i = 0; i < 10; ++i) {
        fail(throttle, "alice", "10.0.0." + std::to_string(i));
        EXPECT_LE(throttle.tracked_keys(), 6U) << "three pairs and three addresses at most";
    }
}

TEST(LoginThrottleTest, KeepsNothingForAttemptsThatDidNotFail) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    for (int i = 0; i < 100; ++i) {
        auto success = throttle.begin("user" + std::to_string(i), kOwner);
        ASSERT_TRUE(success.admitted());
        success.succeeded();
        auto abandoned = throttle.begin("other" + std::to_string(i), kOwner);  // e.g. the database was down
        ASSERT_TRUE(abandoned.admitted());
    }
    EXPECT_EQ(throttle.tracked_keys(), 0U);
}

TEST(LoginThrottleTest, AClientThatFailedCannotGuessInParallel) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    fail(throttle, "alice", kStranger, 4);
    auto fifth = throttle.begin("alice", kStranger);
    ASSERT_TRUE(fifth.admitted());
    // While the fifth guess is being checked, a sixth would be past the free allowance: it waits.
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s);
    fifth.failed();
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s);
}

TEST(LoginThrottleTest, ACleanRecordIsNeverRefusedEvenInParallel) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    std::vector<LoginThrottle::Attempt> in_flight;
    for (int i = 0; i < 50; ++i) {
        in_flight.push_back(throttle.begin(i % 2 == 0 ? "alice" : "user" + std::to_string(i), kOwner));
        EXPECT_TRUE(in_flight.back().admitted()) << i;
    }
    for (auto& attempt : in_flight) {
        attempt.succeeded();
    }
    EXPECT_EQ(throttle.tracked_keys(), 0U);
}

TEST(LoginThrottleTest, AClockSteppingBackwardsDoesNotStretchTheWait) {
    AdvancingClock clock;
    LoginThrottle throttle(clock);
    fail(throttle, "alice", kStranger, 5);
    clock.advance(-1h);
    EXPECT_EQ(wait_of(throttle, "alice", kStranger), 1s);
}

TEST(LoginThrottleTest, RefusesNonsensicalSettings) {
    AdvancingClock clock;
    const auto refused = [&clock](auto change) {
        EXPECT_THROW(LoginThrottle(clock, settings_with(change)), std::invalid_argument);
    };
    refused([](auto& s) { s.account_free_failures = 0; });
    refused([](auto& s) { s.address_free_failures = 0; });
    refused([](auto& s) { s.delay_base = 0ms; });
    refused([](auto& s) {
        s.delay_base = 2s;
        s.delay_max = 1s;
    });
    refused([](auto& s) { s.max_keys = 0; });
}

}  // namespace
}  // namespace gomall::services
