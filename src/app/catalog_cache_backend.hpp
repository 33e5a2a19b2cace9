// Builds the catalogue's read cache from the config: memory only in embedded mode; in full mode (and
// product.shared_cache on) with its shared level in Redis, a circuit breaker in front of it, and the
// subscriber that hears other instances' invalidations.
#pragma once

#include <memory>
#include <string>

#include "adapters/redis/redis_invalidation_subscriber.hpp"
#include "adapters/redis/redis_shared_read_cache.hpp"
#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "services/catalog_cache.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::app {

class CatalogCacheBackend {
public:
    CatalogCacheBackend(const Config& config, const ports::Clock& clock, ports::Metrics& metrics);
    CatalogCacheBackend(const CatalogCacheBackend&) = delete;
    CatalogCacheBackend& operator=(const CatalogCacheBackend&) = delete;
    ~CatalogCacheBackend() { stop(); }

    services::CatalogCache& cache() { return *cache_; }
    /// The shared level's breaker ("read_cache"), or null in memory-only mode.
    services::CircuitBreaker* breaker() { return breaker_.get(); }
    /// Reads the list generation and starts listening for invalidations (full mode); no-op otherwise.
    void start();
    void stop();
    std::string description() const;

private:
    std::unique_ptr<adapters::redis::RedisSharedReadCache> shared_;
    std::unique_ptr<services::CircuitBreaker> breaker_;
    std::unique_ptr<adapters::redis::RedisInvalidationSubscriber> subscriber_;
    std::unique_ptr<services::CatalogCache> cache_;
};

}  // namespace gomall::app
