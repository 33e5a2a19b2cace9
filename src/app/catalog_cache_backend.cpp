// Wiring of the catalogue's read cache.
#include "app/catalog_cache_backend.hpp"

#include "app/breaker_settings.hpp"
#include "app/redis_settings.hpp"

namespace gomall::app {
namespace {

services::CatalogCacheSettings cache_settings(const ProductConfig& c) {
    services::CatalogCacheSettings s;
    s.detail.ttl = std::chrono::milliseconds(c.cache_ttl_ms);
    s.detail.max_entries = static_cast<std::size_t>(c.cache_capacity);
    s.detail.max_bytes = static_cast<std::size_t>(c.cache_max_bytes);
    s.detail.not_found_ttl = std::chrono::milliseconds(c.not_found_ttl_ms);
    s.lists.ttl = std::chrono::milliseconds(c.list_cache_ttl_ms);
    s.lists.max_entries = static_cast<std::size_t>(c.list_cache_capacity);
    s.lists.max_bytes = static_cast<std::size_t>(c.cache_max_bytes);
    s.lists.not_found_ttl = std::chrono::milliseconds(c.list_cache_ttl_ms);
    return s;
}

}  // namespace

CatalogCacheBackend::CatalogCacheBackend(const Config& config, const ports::Clock& clock, ports::Metrics& metrics) {
    if (config.seckill.mode == "full" && config.product.shared_cache) {
        shared_ = std::make_unique<adapters::redis::RedisSharedReadCache>(
            redis_settings(config.redis), config.redis.key_prefix
        );
        subscriber_ = std::make_unique<adapters::redis::RedisInvalidationSubscriber>(
            redis_settings(config.redis), adapters::redis::invalidation_channel(config.redis.key_prefix)
        );
        if (config.breakers.enabled) {
            breaker_ = std::make_unique<services::CircuitBreaker>(
                "read_cache", breaker_settings(config.breakers), clock, metrics
            );
        }
    }
    cache_ =
        std::make_unique<services::CatalogCache>(cache_settings(config.product), clock, shared_.get(), breaker_.get());
    if (config.metrics.enabled) {
        cache_->measure_with(metrics);
    }
}

void CatalogCacheBackend::start() {
    if (!subscriber_) {
        return;
    }
    cache_->load_generation();
    subscriber_->start(
        [this](std::string_view message) { cache_->on_message(message); }, [this] { cache_->on_resubscribed(); }
    );
}

void CatalogCacheBackend::stop() {
    if (subscriber_) {
        subscriber_->stop();
    }
}

std::string CatalogCacheBackend::description() const {
    return shared_ ? "memory, then Redis (shared by instances, pub/sub invalidation)" : "memory (this instance)";
}

}  // namespace gomall::app
