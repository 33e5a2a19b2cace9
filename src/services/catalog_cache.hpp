// The catalogue's read cache in two levels: each instance's memory (ReadCache), then, in full mode,
// the shared level every instance reads (Redis), then the database. Knows which answers a change
// makes stale, drops them here, and tells the other instances to drop theirs.
//
// Staleness, stated once (docs/architecture.md, "The read side"):
//   - every answer is at most its cache's ttl older than the database read that made it, whichever
//     level it came from (the read instant travels with it);
//   - lists and categories are not dropped when stock moves: stock shown in a list is at most the
//     list ttl old (default 1 s);
//   - a product's detail is dropped on every instance when its stock moves or an admin edits it;
//     an admin's edit also drops every list, on every instance.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/shared_read_cache.hpp"
#include "services/circuit_breaker.hpp"
#include "services/read_cache.hpp"

namespace gomall::services {

struct CatalogCacheSettings {
    ReadCacheSettings detail;  // product detail by id
    ReadCacheSettings lists;   // product pages (every filter, sort, keyword, page) and categories
};

/// Thread-safe. peek_* never block (I/O threads); the loading calls and the change notices may call
/// the shared level (blocking pool only).
class CatalogCache {
public:
    /// `shared` and `breaker` may be null (embedded mode: memory only). The breaker guards the
    /// shared level so a stuck Redis costs one timeout, not one per read.
    CatalogCache(
        CatalogCacheSettings settings,
        const ports::Clock& clock,
        ports::SharedReadCache* shared = nullptr,
        CircuitBreaker* breaker = nullptr
    );

    void measure_with(ports::Metrics& metrics);
    /// Reads the shared list generation (start-up; a failure leaves 0, which only costs misses).
    void load_generation();

    ReadCache::Answer peek_product(std::int64_t id) { return detail_.peek(product_key(id)); }
    ReadCache::Answer product(std::int64_t id, const ReadCache::Loader& load);

    /// `load` reads the database; the cache stamps its answer with the time of the read.
    /// `key` names the request in full (route, filters, sort, page): see the catalogue handlers.
    ReadCache::Answer peek_list(std::string_view key) { return lists_.peek(key); }
    ReadCache::Answer list(const std::string& key, const ReadCache::Loader& load);

    /// An admin created, edited or deleted a product: its detail and every list, everywhere.
    void product_changed(std::int64_t id);
    /// Stock moved (an order placed or cancelled): its detail, everywhere. Lists age out.
    void stock_changed(std::int64_t id);
    /// Categories changed: every list, everywhere.
    void lists_changed();

    /// What another instance published ("product <id> <generation>", "stock <id>", "lists
    /// <generation>"); anything else is ignored.
    void on_message(std::string_view message);
    /// The invalidation channel was down for a while: anything may have changed.
    void on_resubscribed();

private:
    static std::string product_key(std::int64_t id) { return std::to_string(id); }
    /// A miss of this instance's memory: the shared level if it holds a fresh answer, else `load`
    /// (whose answer is then offered to the shared level).
    CachedAnswer through_shared(
        const std::string& shared_key, const ReadCacheSettings& settings, const ReadCache::Loader& load
    );
    /// Runs `call` against the shared level through the breaker; false when refused or failed.
    template <class F>
    bool shared_call(F&& call);
    void raise_generation(long long seen);

    const ports::Clock& clock_;
    const CatalogCacheSettings settings_;
    ports::SharedReadCache* shared_;
    CircuitBreaker* breaker_;
    ReadCache detail_;
    ReadCache lists_;
    std::atomic<long long> generation_{0};
    ports::MetricsRegistration size_gauges_;
    ports::Counter* shared_errors_ = nullptr;
    ports::Counter* shared_hits_ = nullptr;
    ports::Counter* shared_misses_ = nullptr;
};

}  // namespace gomall::services
