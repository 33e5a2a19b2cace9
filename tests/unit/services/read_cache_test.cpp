// Unit tests of ReadCache: one load for many concurrent misses, age and size bounds, negative
// entries, and invalidation racing a load.
#include "services/read_cache.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "advancing_clock.hpp"
#include "support/recording_metrics.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

ReadCacheSettings settings(std::size_t entries = 100, std::size_t bytes = 1 << 20) {
    ReadCacheSettings s;
    s.max_entries = entries;
    s.max_bytes = bytes;
    s.ttl = 1000ms;
    s.not_found_ttl = 5000ms;
    return s;
}

class ReadCacheTest : public ::testing::Test {
protected:
    CachedAnswer answer(std::string body) const { return CachedAnswer{std::move(body), true, clock_.now()}; }

    AdvancingClock clock_;
    ReadCache cache_{"test", settings(), clock_};
};

TEST_F(ReadCacheTest, AMissLoadsAndTheNextReadIsAHit) {
    EXPECT_FALSE(cache_.peek("k"));
    int loads = 0;
    const auto first = cache_.get_or_load("k", [&] {
        ++loads;
        return answer("one");
    });
    EXPECT_EQ(first->body, "one");
    ASSERT_TRUE(cache_.peek("k"));
    EXPECT_EQ(cache_.peek("k")->body, "one");
    cache_.get_or_load("k", [&] {
        ++loads;
        return answer("two");
    });
    EXPECT_EQ(loads, 1);
}

TEST_F(ReadCacheTest, TwoHundredConcurrentMissesOfOneKeyRunOneLoad) {
    std::atomic<int> loads{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> readers;
    std::vector<std::string> bodies(200);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        readers.emplace_back([&, i] {
            while (!go.load()) {
                std::this_thread::yield();
            }
            bodies[i] = cache_
                            .get_or_load(
                                "page",
                                [&] {
                                    ++loads;
                                    // Slow enough that every reader arrives while it runs.
                                    std::this_thread::sleep_for(100ms);
                                    return answer("rows");
                                }
                            )
                            ->body;
        });
    }
    go = true;
    for (auto& reader : readers) {
        reader.join();
    }
    EXPECT_EQ(loads.load(), 1);
    for (const auto& body : bodies) {
        EXPECT_EQ(body, "rows");
    }
}

TEST_F(ReadCacheTest, AFailedLoadReachesEveryWaiterAndIsNotKept) {
    std::atomic<int> failures{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 20; ++i) {
        readers.emplace_back([&] {
            try {
                cache_.get_or_load("k", [&]() -> CachedAnswer {
                    std::this_thread::sleep_for(50ms);
                    throw std::runtime_error("database down");
                });
            } catch (const std::runtime_error&) {
                ++failures;
            }
        });
    }
    for (auto& reader : readers) {
        reader.join();
    }
    EXPECT_EQ(failures.load(), 20);
    EXPECT_FALSE(cache_.peek("k"));
    EXPECT_EQ(cache_.get_or_load("k", [&] { return answer("back"); })->body, "back");
}

TEST_F(ReadCacheTest, AnAnswerExpiresTtlAfterItsDatabaseRead) {
    cache_.get_or_load("k", [&] { return answer("v"); });
    clock_.advance(999ms);
    EXPECT_FALSE(cache_.peek("k"));  // the one caller sent to refresh it ahead of expiry
    EXPECT_TRUE(cache_.peek("k"));
    clock_.advance(1ms);
    EXPECT_FALSE(cache_.peek("k"));
    EXPECT_FALSE(cache_.peek("k"));
}

TEST_F(ReadCacheTest, AnAnswerReadEarlierElsewhereKeepsItsAge) {
    // Loaded 800 ms ago (from a shared level): only 200 ms of freshness left.
    cache_.get_or_load("k", [&] { return CachedAnswer{"v", true, clock_.now() - 800ms}; });
    clock_.advance(199ms);
    EXPECT_FALSE(cache_.peek("k"));  // already due for its refresh: one caller is sent to reload
    EXPECT_TRUE(cache_.peek("k"));
    clock_.advance(1ms);
    EXPECT_FALSE(cache_.peek("k"));
    EXPECT_FALSE(cache_.peek("k"));
    // Already too old when loaded: answered, not kept.
    EXPECT_EQ(cache_.get_or_load("old", [&] { return CachedAnswer{"x", true, clock_.now() - 2s}; })->body, "x");
    EXPECT_FALSE(cache_.peek("old"));
}

TEST_F(ReadCacheTest, OneCallerRefreshesAheadOfExpiryWhileTheOthersAreAnsweredFromMemory) {
    int loads = 0;
    const auto load = [&] {
        ++loads;
        return answer("v" + std::to_string(loads));
    };
    cache_.get_or_load("k", load);
    clock_.advance(749ms);
    EXPECT_TRUE(cache_.peek("k"));
    clock_.advance(1ms);             // 3/4 of the ttl
    EXPECT_FALSE(cache_.peek("k"));  // this caller is sent to reload it...
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(cache_.peek("k"));  // ...everyone else is still answered
        EXPECT_EQ(cache_.peek("k")->body, "v1");
    }
    EXPECT_EQ(cache_.get_or_load("k", load)->body, "v2");  // the claimer reloads
    EXPECT_EQ(loads, 2);
    clock_.advance(500ms);  // past the first answer's ttl: the reloaded one is still fresh
    ASSERT_TRUE(cache_.peek("k"));
    EXPECT_EQ(cache_.peek("k")->body, "v2");
}

TEST_F(ReadCacheTest, AFailedRefreshKeepsTheAnswerAndLetsAnotherCallerTry) {
    cache_.get_or_load("k", [&] { return answer("old"); });
    clock_.advance(800ms);
    EXPECT_FALSE(cache_.peek("k"));
    EXPECT_THROW(
        cache_.get_or_load("k", []() -> CachedAnswer { throw std::runtime_error("db down"); }), std::runtime_error
    );
    ASSERT_TRUE(cache_.peek("k") == nullptr);  // claimed again by this caller
    EXPECT_EQ(cache_.get_or_load("k", [&] { return answer("new"); })->body, "new");
}

TEST_F(ReadCacheTest, NotFoundIsRememberedForItsOwnTtl) {
    int loads = 0;
    const auto load = [&] {
        ++loads;
        return CachedAnswer{{}, false, clock_.now()};
    };
    EXPECT_FALSE(cache_.get_or_load("404", load)->found);
    clock_.advance(3s);
    ASSERT_TRUE(cache_.peek("404"));
    EXPECT_FALSE(cache_.peek("404")->found);
    clock_.advance(2s);
    EXPECT_FALSE(cache_.peek("404"));
    cache_.get_or_load("404", load);
    EXPECT_EQ(loads, 2);
}

TEST_F(ReadCacheTest, LeastRecentlyUsedGoesFirstWhenEntriesRunOut) {
    ReadCache small("small", settings(2), clock_);
    small.get_or_load("a", [&] { return answer("a"); });
    small.get_or_load("b", [&] { return answer("b"); });
    EXPECT_TRUE(small.peek("a"));  // a is now the most recently used
    small.get_or_load("c", [&] { return answer("c"); });
    EXPECT_TRUE(small.peek("a"));
    EXPECT_FALSE(small.peek("b"));
    EXPECT_TRUE(small.peek("c"));
    EXPECT_EQ(small.size(), 2U);
}

TEST_F(ReadCacheTest, StaysWithinItsByteBound) {
    ReadCache small("small", settings(1000, 4096), clock_);
    for (int i = 0; i < 50; ++i) {
        small.get_or_load("key" + std::to_string(i), [&] { return answer(std::string(500, 'x')); });
        EXPECT_LE(small.bytes(), 4096U);
    }
    EXPECT_TRUE(small.peek("key49"));
    EXPECT_FALSE(small.peek("key0"));
    // Larger than the whole cache: served, never kept.
    EXPECT_EQ(small.get_or_load("huge", [&] { return answer(std::string(5000, 'y')); })->body.size(), 5000U);
    EXPECT_FALSE(small.peek("huge"));
    EXPECT_LE(small.bytes(), 4096U);
}

TEST_F(ReadCacheTest, InvalidateAndClearDropEntries) {
    cache_.get_or_load("a", [&] { return answer("a"); });
    cache_.get_or_load("b", [&] { return answer("b"); });
    cache_.invalidate("a");
    EXPECT_FALSE(cache_.peek("a"));
    EXPECT_TRUE(cache_.peek("b"));
    cache_.clear();
    EXPECT_FALSE(cache_.peek("b"));
    EXPECT_EQ(cache_.size(), 0U);
    EXPECT_EQ(cache_.bytes(), 0U);
}

TEST_F(ReadCacheTest, ALoadThatStraddlesAnInvalidationIsAnsweredButNotKept) {
    const auto result = cache_.get_or_load("k", [&] {
        cache_.invalidate("k");  // an admin edit lands while the old row is being read
        return answer("old row");
    });
    EXPECT_EQ(result->body, "old row");
    EXPECT_FALSE(cache_.peek("k"));
}

TEST_F(ReadCacheTest, RecordsHitsMissesLoadsEvictionsAndSize) {
    testing::RecordingMetrics metrics;
    ReadCache measured("lists", settings(1), clock_);
    measured.measure_with(metrics);
    measured.get_or_load("a", [&] { return answer("a"); });
    measured.peek("a");
    measured.get_or_load("a", [&] { return answer("a"); });
    measured.get_or_load("b", [&] { return answer("b"); });
    EXPECT_EQ(metrics.value("gomall_read_cache_requests_total", {"lists", "hit"}), 2);
    EXPECT_EQ(metrics.value("gomall_read_cache_requests_total", {"lists", "miss"}), 2);
    EXPECT_EQ(metrics.value("gomall_read_cache_loads_total", {"lists"}), 2);
    EXPECT_EQ(metrics.value("gomall_read_cache_evictions_total", {"lists"}), 1);
    std::vector<ports::Sample> samples;
    measured.append_size_samples(samples);
    ASSERT_EQ(samples.size(), 2U);
    EXPECT_GT(samples[0].value, 0);
    EXPECT_EQ(samples[1].value, 1);  // entries
}

}  // namespace
}  // namespace gomall::services
