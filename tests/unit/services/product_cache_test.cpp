// Unit tests of ProductCache: hits, TTL expiry, LRU eviction, invalidation and the stale-fill guard.
#include "services/product_cache.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

class ManualClock final : public ports::Clock {
public:
    TimePoint now() const override { return TimePoint{std::chrono::nanoseconds(nanos_.load())}; }
    void advance(std::chrono::nanoseconds by) { nanos_ += by.count(); }

private:
    std::atomic<std::int64_t> nanos_{std::chrono::nanoseconds(1'700'000'000s).count()};
};

domain::Product product(std::int64_t id, std::string name = "phone") {
    domain::Product p;
    p.id = id;
    p.name = std::move(name);
    p.price = 599900;
    return p;
}

TEST(ProductCacheTest, ReturnsWhatWasPut) {
    ManualClock clock;
    ProductCache cache(10, 60s, clock);
    EXPECT_FALSE(cache.get(1));
    cache.put(product(1));
    auto hit = cache.get(1);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->name, "phone");
    EXPECT_EQ(hit->price, 599900);
}

TEST(ProductCacheTest, ForgetsEntriesOlderThanTheTtl) {
    ManualClock clock;
    ProductCache cache(10, 60s, clock);
    cache.put(product(1));
    clock.advance(59s);
    EXPECT_TRUE(cache.get(1));
    clock.advance(1s);
    EXPECT_FALSE(cache.get(1));
    EXPECT_EQ(cache.size(), 0U);
}

TEST(ProductCacheTest, EvictsTheLeastRecentlyUsedEntryWhenFull) {
    ManualClock clock;
    ProductCache cache(2, 60s, clock);
    cache.put(product(1));
    cache.put(product(2));
    ASSERT_TRUE(cache.get(1));  // 2 is now the least recently used
    cache.put(product(3));
    EXPECT_EQ(cache.size(), 2U);
    EXPECT_TRUE(cache.get(1));
    EXPECT_FALSE(cache.get(2));
    EXPECT_TRUE(cache.get(3));
}

TEST(ProductCacheTest, PuttingAnExistingIdReplacesItWithoutGrowing) {
    ManualClock clock;
    ProductCache cache(2, 60s, clock);
    cache.put(product(1, "old"));
    cache.put(product(1, "new"));
    EXPECT_EQ(cache.size(), 1U);
    EXPECT_EQ(cache.get(1)->name, "new");
}

TEST(ProductCacheTest, InvalidateRemovesOnlyThatProduct) {
    ManualClock clock;
    ProductCache cache(10, 60s, clock);
    cache.put(product(1));
    cache.put(product(2));
    cache.invalidate(1);
    EXPECT_FALSE(cache.get(1));
    EXPECT_TRUE(cache.get(2));
}

TEST(ProductCacheTest, FillLoadedBeforeAnInvalidationIsDropped) {
    ManualClock clock;
    ProductCache cache(10, 60s, clock);
    const auto epoch = cache.epoch();  // a reader starts loading the old row...
    cache.invalidate(1);               // ...an admin update lands...
    cache.put(product(1, "old"), epoch);
    EXPECT_FALSE(cache.get(1));  // ...and the old row is not cached

    cache.put(product(1, "new"), cache.epoch());
    EXPECT_EQ(cache.get(1)->name, "new");
}

TEST(ProductCacheTest, ClearEmptiesTheCache) {
    ManualClock clock;
    ProductCache cache(10, 60s, clock);
    cache.put(product(1));
    cache.clear();
    EXPECT_EQ(cache.size(), 0U);
}

TEST(ProductCacheTest, ZeroCapacityIsRejected) {
    ManualClock clock;
    EXPECT_THROW(ProductCache(0, 60s, clock), std::invalid_argument);
}

TEST(ProductCacheTest, StaysWithinCapacityUnderConcurrentUse) {
    ManualClock clock;
    ProductCache cache(50, 60s, clock);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&cache, t] {
            for (int i = 0; i < 5000; ++i) {
                const std::int64_t id = (i * 7 + t) % 200;
                if (i % 3 == 0) {
                    cache.put(product(id));
                } else if (i % 11 == 0) {
                    cache.invalidate(id);
                } else if (auto hit = cache.get(id)) {
                    EXPECT_EQ(hit->id, id);
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_LE(cache.size(), 50U);
}

}  // namespace
}  // namespace gomall::services
