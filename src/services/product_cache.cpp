// Implementation of the LRU + TTL product cache.
#include "services/product_cache.hpp"

#include <stdexcept>

namespace gomall::services {

ProductCache::ProductCache(std::size_t capacity, std::chrono::milliseconds ttl, const ports::Clock& clock)
    : capacity_(capacity), ttl_(ttl), clock_(clock) {
    if (capacity_ == 0) {
        throw std::invalid_argument("product cache capacity must be positive");
    }
}

std::optional<domain::Product> ProductCache::get(std::int64_t id) {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    if (it->second.expires_at <= now) {
        lru_.erase(it->second.lru_position);
        entries_.erase(it);
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru_position);
    return it->second.product;
}

ProductCache::Epoch ProductCache::epoch() const {
    std::lock_guard lock(mutex_);
    return epoch_;
}

void ProductCache::put(const domain::Product& product, Epoch loaded_at) {
    std::lock_guard lock(mutex_);
    // Any invalidation since the load may concern this product; dropping one fill is cheaper
    // than tracking epochs per id, and the next read fills it again.
    if (loaded_at != epoch_) {
        return;
    }
    put_locked(product);
}

void ProductCache::put(const domain::Product& product) {
    std::lock_guard lock(mutex_);
    put_locked(product);
}

void ProductCache::put_locked(const domain::Product& product) {
    const TimePoint expires_at = clock_.now() + ttl_;
    auto it = entries_.find(product.id);
    if (it != entries_.end()) {
        it->second.product = product;
        it->second.expires_at = expires_at;
        lru_.splice(lru_.begin(), lru_, it->second.lru_position);
        return;
    }
    if (entries_.size() >= capacity_) {
        entries_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(product.id);
    entries_.emplace(product.id, Entry{product, expires_at, lru_.begin()});
}

void ProductCache::invalidate(std::int64_t id) {
    std::lock_guard lock(mutex_);
    ++epoch_;
    auto it = entries_.find(id);
    if (it != entries_.end()) {
        lru_.erase(it->second.lru_position);
        entries_.erase(it);
    }
}

void ProductCache::clear() {
    std::lock_guard lock(mutex_);
    ++epoch_;
    entries_.clear();
    lru_.clear();
}

std::size_t ProductCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace gomall::services
