// Unit tests of InstancePool: it follows the registry's set, hands instances out round robin,
// keeps a shopper on one instance, skips an instance whose breaker is open, and reports its size.
#include "rpc/instance_pool.hpp"

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/memory/memory_service_registry.hpp"
#include "adapters/metrics/prometheus_registry.hpp"
#include "ports/clock.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;

ports::ServiceInstance seckill(const std::string& id, int port) {
    return ports::ServiceInstance{"seckill", id, "127.0.0.1:" + std::to_string(port), 1, {}};
}

class InstancePoolTest : public ::testing::Test {
protected:
    adapters::memory::MemoryServiceRegistry registry;
    ports::SystemClock clock;
    adapters::metrics::PrometheusRegistry metrics;
    InstancePool pool{registry, "seckill", services::BreakerSettings{2, 60s, 1}, clock, metrics, [](const auto&) {
                          return std::make_shared<int>(7);
                      }};
};

TEST_F(InstancePoolTest, FollowsTheRegistryFromStartOn) {
    registry.register_instance(seckill("a", 1001));
    EXPECT_EQ(pool.size(), 0U);
    pool.start();
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (pool.size() != 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(pool.size(), 1U);
    registry.register_instance(seckill("b", 1002));
    registry.deregister("seckill", "a");
    while ((pool.size() != 1 || pool.targets().front()->id != "b") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(pool.size(), 1U);
    EXPECT_EQ(pool.targets().front()->id, "b");
    EXPECT_EQ(pool.targets().front()->address, "127.0.0.1:1002");
    pool.stop();
}

TEST_F(InstancePoolTest, HandsInstancesOutRoundRobinWithTheirStubs) {
    pool.update({seckill("a", 1001), seckill("b", 1002), seckill("c", 1003)});
    std::map<std::string, int> picked;
    for (int i = 0; i < 30; ++i) {
        auto target = pool.pick();
        ASSERT_NE(target, nullptr);
        EXPECT_EQ(*static_cast<int*>(target->stubs.get()), 7);
        ++picked[target->id];
    }
    EXPECT_EQ(picked, (std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}}));
}

TEST_F(InstancePoolTest, AKeyStaysOnOneInstanceWhileTheSetStaysTheSame) {
    pool.update({seckill("a", 1001), seckill("b", 1002)});
    std::set<std::string> for_key;
    for (int i = 0; i < 10; ++i) {
        for_key.insert(pool.pick_for(42)->id);
        (void)pool.pick();  // round robin moving on does not move the key
    }
    EXPECT_EQ(for_key.size(), 1U);
    EXPECT_NE(pool.pick_for(42)->id, pool.pick_for(43)->id);
}

TEST_F(InstancePoolTest, AnInstanceWhoseBreakerIsOpenIsSkippedAndAKeyMovesOff) {
    pool.update({seckill("a", 1001), seckill("b", 1002)});
    const auto pinned = pool.pick_for(42);
    for (int i = 0; i < 2; ++i) {  // the threshold of this pool's breakers
        pinned->breaker->try_call()->failed();
    }
    for (int i = 0; i < 6; ++i) {
        EXPECT_NE(pool.pick()->id, pinned->id);
    }
    EXPECT_NE(pool.pick_for(42)->id, pinned->id);

    const auto other = pool.pick();
    for (int i = 0; i < 2; ++i) {
        other->breaker->try_call()->failed();
    }
    EXPECT_EQ(pool.pick(), nullptr);
    EXPECT_EQ(pool.pick_for(42), nullptr);
}

TEST_F(InstancePoolTest, AnInstanceThatStaysKeepsItsBreakerAndOneThatMovesGetsANewOne) {
    pool.update({seckill("a", 1001)});
    const auto before = pool.pick();
    pool.update({seckill("a", 1001), seckill("b", 1002)});
    EXPECT_EQ(pool.targets().front(), before);  // same connection, same breaker memory
    pool.update({seckill("a", 2001)});          // restarted elsewhere under the same id
    EXPECT_NE(pool.targets().front(), before);
    EXPECT_EQ(pool.targets().front()->address, "127.0.0.1:2001");
}

TEST_F(InstancePoolTest, AnEmptySetPicksNothing) {
    EXPECT_EQ(pool.pick(), nullptr);
    EXPECT_EQ(pool.pick_for(1), nullptr);
    pool.update({seckill("a", 1001)});
    pool.update({});
    EXPECT_EQ(pool.pick(), nullptr);
}

TEST_F(InstancePoolTest, ReportsHowManyInstancesItKnows) {
    pool.update({seckill("a", 1001), seckill("b", 1002)});
    EXPECT_NE(metrics.render().find("gomall_service_instances{role=\"seckill\"} 2"), std::string::npos)
        << metrics.render();
}

}  // namespace
}  // namespace gomall::rpc
