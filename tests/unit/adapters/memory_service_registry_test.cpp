// The in-process service registry: registered instances are listed and watched, removals are
// seen at once, callbacks stop with unwatch and may call back into the registry.
#include "adapters/memory/memory_service_registry.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "unit/adapters/registry_test_support.hpp"

namespace gomall::adapters::memory {
namespace {

using registry_test::eventually;
using registry_test::HeardSets;
using registry_test::ids_of;
using registry_test::instance;
using Ids = std::vector<std::string>;

TEST(MemoryServiceRegistry, RegisteredInstancesAreListedByRoleInIdOrder) {
    MemoryServiceRegistry registry;
    auto b = instance("seckill", "b", "127.0.0.1:7002");
    b.weight = 3;
    b.metadata["zone"] = "east";
    registry.register_instance(b);
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    registry.register_instance(instance("order", "c", "127.0.0.1:7003"));

    const auto seckill = registry.list("seckill");
    EXPECT_EQ(ids_of(seckill), (Ids{"a", "b"}));
    EXPECT_EQ(seckill[1], b);
    EXPECT_EQ(ids_of(registry.list("order")), (Ids{"c"}));
    EXPECT_TRUE(registry.list("payment").empty());
}

TEST(MemoryServiceRegistry, RegisteringAgainReplacesTheInstance) {
    MemoryServiceRegistry registry;
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7009"));
    const auto set = registry.list("seckill");
    ASSERT_EQ(set.size(), 1U);
    EXPECT_EQ(set[0].address, "127.0.0.1:7009");
}

TEST(MemoryServiceRegistry, DeregisterRemovesTheInstanceAtOnce) {
    MemoryServiceRegistry registry;
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    registry.deregister("seckill", "a");
    EXPECT_TRUE(registry.list("seckill").empty());
    registry.deregister("seckill", "never-registered");  // ignored
}

TEST(MemoryServiceRegistry, MalformedInstancesAreRefused) {
    MemoryServiceRegistry registry;
    EXPECT_THROW(registry.register_instance(instance("", "a", "127.0.0.1:1")), std::invalid_argument);
    EXPECT_THROW(registry.register_instance(instance("seckill", "a/b", "127.0.0.1:1")), std::invalid_argument);
    EXPECT_THROW(registry.register_instance(instance("seckill", "a", "127.0.0.1")), std::invalid_argument);
    EXPECT_THROW(registry.register_instance(instance("seckill", "a", "127.0.0.1:70000")), std::invalid_argument);
    auto heavy = instance("seckill", "a", "127.0.0.1:1");
    heavy.weight = 0;
    EXPECT_THROW(registry.register_instance(heavy), std::invalid_argument);
    EXPECT_THROW(registry.list("bad role"), std::invalid_argument);
}

TEST(MemoryServiceRegistry, AWatchHearsTheCurrentSetThenEveryChange) {
    MemoryServiceRegistry registry;
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    HeardSets heard;
    const auto id = registry.watch("seckill", heard.callback());
    ASSERT_TRUE(eventually([&] { return heard.latest_ids() == Ids{"a"}; }));

    registry.register_instance(instance("seckill", "b", "127.0.0.1:7002"));
    registry.register_instance(instance("order", "x", "127.0.0.1:7100"));  // another role: not heard
    registry.deregister("seckill", "a");
    ASSERT_TRUE(eventually([&] { return heard.count() == 3; }));
    const auto sets = heard.all();
    EXPECT_EQ(ids_of(sets[1]), (Ids{"a", "b"}));
    EXPECT_EQ(ids_of(sets[2]), (Ids{"b"}));
    registry.unwatch(id);
}

TEST(MemoryServiceRegistry, NoCallbackRunsAfterUnwatchReturns) {
    MemoryServiceRegistry registry;
    std::atomic<bool> unwatched{false};
    std::atomic<int> late_calls{0};
    const auto id = registry.watch("seckill", [&](const ports::InstanceSet&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a slow callback still running
        if (unwatched) {
            ++late_calls;
        }
    });
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    registry.unwatch(id);
    unwatched = true;
    registry.register_instance(instance("seckill", "b", "127.0.0.1:7002"));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_EQ(late_calls.load(), 0);
}

TEST(MemoryServiceRegistry, ACallbackMayCallBackIntoTheRegistry) {
    MemoryServiceRegistry registry;
    std::atomic<bool> listed{false};
    const auto id = registry.watch("seckill", [&](const ports::InstanceSet& set) {
        if (!set.empty()) {
            listed = registry.list("seckill").size() == set.size();
        }
    });
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    EXPECT_TRUE(eventually([&] { return listed.load(); }));
    registry.unwatch(id);
}

TEST(MemoryServiceRegistry, ConcurrentRegistrationsAllLand) {
    MemoryServiceRegistry registry;
    HeardSets heard;
    registry.watch("seckill", heard.callback());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&registry, t] {
            for (int n = 0; n < 25; ++n) {
                registry.register_instance(
                    instance("seckill", "i" + std::to_string(t) + "-" + std::to_string(n), "127.0.0.1:7000")
                );
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(registry.list("seckill").size(), 100U);
    // Deliveries keep the order of the changes: the last set heard is the full one.
    EXPECT_TRUE(eventually([&] { return heard.latest_ids().size() == 100; }));
}

}  // namespace
}  // namespace gomall::adapters::memory
