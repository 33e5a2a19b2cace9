// In-process cache of product details by id, so hot product pages are answered without the database
// (and, through ProductService::cached, without leaving the I/O thread).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/time.hpp"
#include "domain/product.hpp"
#include "ports/clock.hpp"

namespace gomall::services {

/// Thread-safe, size-bounded (least recently used entries go first) and time-bounded.
/// Stock and sales shown from the cache may lag the database by at most the TTL;
/// admin edits invalidate explicitly so they show at once.
class ProductCache {
public:
    /// A snapshot of the invalidation counter, taken before reading the database on a miss.
    using Epoch = std::uint64_t;

    ProductCache(std::size_t capacity, std::chrono::milliseconds ttl, const ports::Clock& clock);

    ProductCache(const ProductCache&) = delete;
    ProductCache& operator=(const ProductCache&) = delete;

    /// The cached product, or nullopt when absent or older than the TTL. Never blocks on I/O.
    std::optional<domain::Product> get(std::int64_t id);

    /// Call before loading a product from the database; pass the result to put().
    Epoch epoch() const;
    /// Stores the product unless an invalidation happened since `loaded_at`: a reader that
    /// loaded the old row before an admin update must not put it back after the invalidation.
    void put(const domain::Product& product, Epoch loaded_at);
    /// Stores the product unconditionally (used when the caller knows it is current).
    void put(const domain::Product& product);

    void invalidate(std::int64_t id);
    void clear();
    std::size_t size() const;

private:
    struct Entry {
        domain::Product product;
        TimePoint expires_at;
        std::list<std::int64_t>::iterator lru_position;
    };

    void put_locked(const domain::Product& product);

    const std::size_t capacity_;
    const std::chrono::milliseconds ttl_;
    const ports::Clock& clock_;

    mutable std::mutex mutex_;
    std::list<std::int64_t> lru_;  // most recently used first
    std::unordered_map<std::int64_t, Entry> entries_;
    Epoch epoch_ = 0;
};

}  // namespace gomall::services
