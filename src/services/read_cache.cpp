// Implementation of the read cache: LRU by entries and bytes, age-bounded, single-flight loads.
#include "services/read_cache.hpp"

#include <stdexcept>
#include <utility>

namespace gomall::services {
namespace {

/// What an entry costs beyond its body: the key twice (map and LRU list) and the nodes around it.
constexpr std::size_t kEntryOverhead = 128;

std::size_t cost(const std::string& key, const CachedAnswer& answer) {
    return answer.body.size() + (2 * key.size()) + kEntryOverhead;
}

}  // namespace

ReadCacheCounters ReadCacheCounters::registered_in(ports::Metrics& metrics, const std::string& cache) {
    auto& lookups = metrics.counter(
        "gomall_read_cache_requests_total",
        "Catalogue reads asked of a read cache, by cache and result (hit: answered from memory).",
        {"cache", "result"}
    );
    ReadCacheCounters counters;
    counters.hits = &lookups.with({cache, "hit"});
    counters.misses = &lookups.with({cache, "miss"});
    counters.loads = &metrics
                          .counter(
                              "gomall_read_cache_loads_total",
                              "Loads run by a read cache (misses of one key at once share one load).",
                              {"cache"}
                          )
                          .with({cache});
    counters.evictions = &metrics
                              .counter(
                                  "gomall_read_cache_evictions_total",
                                  "Entries a read cache dropped to stay within its entry and byte bounds.",
                                  {"cache"}
                              )
                              .with({cache});
    return counters;
}

ReadCache::ReadCache(std::string name, ReadCacheSettings settings, const ports::Clock& clock)
    : name_(std::move(name)), settings_(settings), clock_(clock) {
    if (settings_.max_entries == 0 || settings_.max_bytes == 0) {
        throw std::invalid_argument("read cache '" + name_ + "': max_entries and max_bytes must be positive");
    }
}

void ReadCache::measure_with(ports::Metrics& metrics) {
    counters_ = ReadCacheCounters::registered_in(metrics, name_);
}

void ReadCache::append_size_samples(std::vector<ports::Sample>& out) const {
    std::lock_guard lock(mutex_);
    out.push_back(ports::Sample{{name_, "bytes"}, static_cast<double>(bytes_)});
    out.push_back(ports::Sample{{name_, "entries"}, static_cast<double>(entries_.size())});
}

ReadCache::Answer ReadCache::peek(std::string_view key) {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    Answer answer = fresh_locked(key, now);
    if (!answer) {
        return nullptr;
    }
    Entry& entry = entries_.find(key)->second;
    if (now >= entry.refresh_after && !entry.refresh_claimed && !flights_.contains(key)) {
        entry.refresh_claimed = true;  // this caller reloads it; everyone else keeps the answer
        return nullptr;
    }
    count(counters_.hits);
    return answer;
}

ReadCache::Answer ReadCache::get_or_load(const std::string& key, const Loader& load) {
    std::promise<Answer> promise;
    std::uint64_t started_at_epoch = 0;
    {
        std::unique_lock lock(mutex_);
        if (Answer hit = fresh_locked(key, clock_.now())) {
            const bool refresh = entries_.find(key)->second.refresh_claimed && !flights_.contains(key);
            if (!refresh) {
                count(counters_.hits);
                return hit;
            }
        }
        count(counters_.misses);
        if (auto flight = flights_.find(key); flight != flights_.end()) {
            const Flight running = flight->second;
            lock.unlock();
            return running.get();  // rethrows the load's exception
        }
        flights_.emplace(key, promise.get_future().share());
        started_at_epoch = epoch_;
    }

    Answer answer;
    try {
        count(counters_.loads);
        answer = std::make_shared<const CachedAnswer>(load());
    } catch (...) {
        {
            std::lock_guard lock(mutex_);
            flights_.erase(key);
            if (auto it = entries_.find(key); it != entries_.end()) {
                it->second.refresh_claimed = false;  // the old answer stays until its ttl; retry later
            }
        }
        promise.set_exception(std::current_exception());
        throw;
    }
    {
        std::lock_guard lock(mutex_);
        flights_.erase(key);
        // An invalidation during the load may concern this key: the waiters get what was read,
        // but the cache does not keep it (the next request reads again).
        if (epoch_ == started_at_epoch && clock_.now() < fresh_until(*answer)) {
            store_locked(key, answer);
        }
    }
    promise.set_value(answer);
    return answer;
}

void ReadCache::invalidate(std::string_view key) {
    std::lock_guard lock(mutex_);
    ++epoch_;
    if (auto it = entries_.find(key); it != entries_.end()) {
        erase_locked(it);
    }
}

void ReadCache::clear() {
    std::lock_guard lock(mutex_);
    ++epoch_;
    entries_.clear();
    lru_.clear();
    bytes_ = 0;
}

std::size_t ReadCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

std::size_t ReadCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

ReadCache::Answer ReadCache::fresh_locked(std::string_view key, TimePoint now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return nullptr;
    }
    if (it->second.fresh_until <= now) {
        erase_locked(it);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru_position);
    return it->second.answer;
}

void ReadCache::erase_locked(std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>::iterator it) {
    bytes_ -= cost(it->first, *it->second.answer);
    lru_.erase(it->second.lru_position);
    entries_.erase(it);
}

void ReadCache::store_locked(const std::string& key, Answer answer) {
    const std::size_t answer_cost = cost(key, *answer);
    if (answer_cost > settings_.max_bytes) {
        return;  // larger than the whole cache: served, never kept
    }
    if (auto it = entries_.find(key); it != entries_.end()) {
        erase_locked(it);
    }
    std::uint64_t evicted = 0;
    while (!lru_.empty() && (entries_.size() >= settings_.max_entries || bytes_ + answer_cost > settings_.max_bytes)) {
        erase_locked(entries_.find(lru_.back()));
        ++evicted;
    }
    if (evicted > 0) {
        count(counters_.evictions, evicted);
    }
    const TimePoint until = fresh_until(*answer);
    const TimePoint refresh = refresh_after(*answer);
    lru_.push_front(key);
    entries_.emplace(key, Entry{std::move(answer), until, refresh, false, lru_.begin()});
    bytes_ += answer_cost;
}

TimePoint ReadCache::fresh_until(const CachedAnswer& answer) const {
    return answer.loaded_at + (answer.found ? settings_.ttl : settings_.not_found_ttl);
}

TimePoint ReadCache::refresh_after(const CachedAnswer& answer) const {
    return answer.loaded_at + ((answer.found ? settings_.ttl : settings_.not_found_ttl) * 3 / 4);
}

}  // namespace gomall::services
