// Unit tests of CatalogCache: the shared level in front of the database, the age an answer keeps
// across levels, what each change drops here and tells other instances, and a shared level that
// fails or is refused by its breaker.
#include "services/catalog_cache.hpp"

#include <map>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "advancing_clock.hpp"
#include "core/unavailable.hpp"
#include "ports/metrics.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

/// The shared level in a map, with a switch that makes every call fail like an unreachable Redis.
class FakeSharedCache final : public ports::SharedReadCache {
public:
    std::optional<ports::SharedAnswer> get(const std::string& key) override {
        check();
        ++gets;
        const auto it = entries.find(key);
        return it == entries.end() ? std::nullopt : std::optional<ports::SharedAnswer>(it->second);
    }
    void put(const std::string& key, const ports::SharedAnswer& answer, std::chrono::milliseconds /*ttl*/) override {
        check();
        entries[key] = answer;
    }
    void remove(const std::string& key) override {
        check();
        entries.erase(key);
    }
    long long generation() override {
        check();
        return generation_value;
    }
    long long bump_generation() override {
        check();
        return ++generation_value;
    }
    void publish(std::string_view what) override {
        check();
        published.emplace_back(what);
    }

    std::map<std::string, ports::SharedAnswer> entries;
    std::vector<std::string> published;
    long long generation_value = 0;
    int gets = 0;
    bool down = false;

private:
    void check() const {
        if (down) {
            throw DependencyUnavailable("redis down");
        }
    }
};

class CatalogCacheTest : public ::testing::Test {
protected:
    CatalogCacheTest() {
        settings_.detail.ttl = 30s;
        settings_.lists.ttl = 1s;
    }

    ReadCache::Loader database(std::string body) {
        return [this, body = std::move(body)] {
            ++database_reads_;
            return CachedAnswer{body, true, clock_.now()};
        };
    }

    AdvancingClock clock_;
    CatalogCacheSettings settings_;
    FakeSharedCache shared_;
    ports::NullMetrics metrics_;
    int database_reads_ = 0;
};

TEST_F(CatalogCacheTest, AnotherInstanceFindsWhatTheFirstLoadedInTheSharedLevel) {
    CatalogCache first(settings_, clock_, &shared_);
    CatalogCache second(settings_, clock_, &shared_);
    EXPECT_EQ(first.list("page-1", database("rows"))->body, "rows");
    EXPECT_EQ(second.list("page-1", database("other rows"))->body, "rows");
    EXPECT_EQ(first.product(7, database("phone"))->body, "phone");
    EXPECT_EQ(second.product(7, database("other phone"))->body, "phone");
    EXPECT_EQ(database_reads_, 2);
    EXPECT_TRUE(second.peek_list("page-1"));
    EXPECT_TRUE(second.peek_product(7));
}

TEST_F(CatalogCacheTest, AnAnswerFromTheSharedLevelKeepsItsAgeInMemory) {
    CatalogCache first(settings_, clock_, &shared_);
    CatalogCache second(settings_, clock_, &shared_);
    first.list("page-1", database("rows"));
    clock_.advance(600ms);
    second.list("page-1", database("newer rows"));
    clock_.advance(400ms);  // one list ttl since the database read
    EXPECT_FALSE(second.peek_list("page-1"));
    // And a shared answer older than the ttl is not used at all.
    EXPECT_EQ(second.list("page-1", database("newer rows"))->body, "newer rows");
}

TEST_F(CatalogCacheTest, AProductChangeDropsItsDetailAndEveryListEverywhere) {
    CatalogCache first(settings_, clock_, &shared_);
    CatalogCache second(settings_, clock_, &shared_);
    first.product(7, database("phone"));
    first.list("page-1", database("rows"));
    second.product(7, database("phone"));
    second.list("page-1", database("rows"));

    first.product_changed(7);
    EXPECT_FALSE(first.peek_product(7));
    EXPECT_FALSE(first.peek_list("page-1"));
    ASSERT_EQ(shared_.published.size(), 1U);
    EXPECT_EQ(shared_.published[0], "product 7 1");
    second.on_message(shared_.published[0]);  // what the subscriber delivers
    EXPECT_FALSE(second.peek_product(7));
    EXPECT_FALSE(second.peek_list("page-1"));

    // Lists of the old generation in the shared level are never read again; the detail is gone.
    EXPECT_EQ(second.list("page-1", database("new rows"))->body, "new rows");
    EXPECT_EQ(second.product(7, database("new phone"))->body, "new phone");
}

TEST_F(CatalogCacheTest, AStockChangeDropsTheDetailButListsAgeOut) {
    CatalogCache first(settings_, clock_, &shared_);
    first.product(7, database("5 left"));
    first.list("page-1", database("5 left"));
    first.stock_changed(7);
    EXPECT_FALSE(first.peek_product(7));
    EXPECT_TRUE(first.peek_list("page-1"));
    ASSERT_EQ(shared_.published.size(), 1U);
    EXPECT_EQ(shared_.published[0], "stock 7");
    EXPECT_EQ(first.product(7, database("4 left"))->body, "4 left");
    clock_.advance(1s);
    EXPECT_FALSE(first.peek_list("page-1"));
}

TEST_F(CatalogCacheTest, MessagesItDoesNotUnderstandAreIgnored) {
    CatalogCache cache(settings_, clock_, &shared_);
    cache.product(7, database("phone"));
    cache.list("page-1", database("rows"));
    for (const char* junk :
         {"",
          "product",
          "product x 1",
          "product 7",
          "stock",
          "stock 7x",
          "lists -",
          "flush all",
          "product 99999999999999999999999 1"}) {
        cache.on_message(junk);
    }
    EXPECT_TRUE(cache.peek_product(7));
    EXPECT_TRUE(cache.peek_list("page-1"));
    cache.on_message("lists 5");
    EXPECT_FALSE(cache.peek_list("page-1"));
    EXPECT_TRUE(cache.peek_product(7));
}

TEST_F(CatalogCacheTest, AResubscriptionDropsEverything) {
    CatalogCache cache(settings_, clock_, &shared_);
    cache.product(7, database("phone"));
    cache.list("page-1", database("rows"));
    cache.on_resubscribed();
    EXPECT_FALSE(cache.peek_product(7));
    EXPECT_FALSE(cache.peek_list("page-1"));
}

TEST_F(CatalogCacheTest, AnUnreachableSharedLevelFallsBackToTheDatabase) {
    CatalogCache cache(settings_, clock_, &shared_);
    shared_.down = true;
    EXPECT_EQ(cache.list("page-1", database("rows"))->body, "rows");
    EXPECT_EQ(cache.product(7, database("phone"))->body, "phone");
    cache.product_changed(7);  // must not throw either
    EXPECT_FALSE(cache.peek_product(7));
    EXPECT_EQ(database_reads_, 2);
}

TEST_F(CatalogCacheTest, AnOpenBreakerSkipsTheSharedLevel) {
    BreakerSettings breaker_settings;
    breaker_settings.failure_threshold = 1;
    CircuitBreaker breaker("read_cache", breaker_settings, clock_, metrics_);
    CatalogCache cache(settings_, clock_, &shared_, &breaker);
    shared_.down = true;
    cache.list("a", database("rows"));  // fails once: the breaker opens
    EXPECT_EQ(breaker.state(), BreakerState::kOpen);
    shared_.down = false;
    const int gets_before = shared_.gets;
    cache.list("b", database("rows"));
    EXPECT_EQ(shared_.gets, gets_before);  // refused at once, Redis not asked
}

TEST_F(CatalogCacheTest, WithoutASharedLevelItIsMemoryOnly) {
    CatalogCache cache(settings_, clock_);
    cache.list("page-1", database("rows"));
    cache.list("page-1", database("rows"));
    cache.product_changed(1);
    cache.list("page-1", database("rows"));
    EXPECT_EQ(database_reads_, 2);
}

}  // namespace
}  // namespace gomall::services
