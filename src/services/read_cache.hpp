// An in-process cache of encoded answers (the JSON of a product page, a product, the categories),
// so a crowd reloading the catalogue is answered from memory, on the I/O thread, and a miss costs
// one database query however many requests miss at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"

namespace gomall::services {

struct ReadCacheSettings {
    std::size_t max_entries = 4096;
    std::size_t max_bytes = std::size_t{64} << 20U;
    /// An answer is served at most this long after it was read from the database.
    std::chrono::milliseconds ttl{1000};
    /// "No such thing" answers (an unknown product id) are kept this long.
    std::chrono::milliseconds not_found_ttl{5000};
};

/// One cached answer. `found` false is a negative entry: the key names nothing (404), and `body`
/// is empty. `loaded_at` is when the database was read, so a copy taken from a shared level keeps
/// its age.
struct CachedAnswer {
    std::string body;
    bool found = true;
    TimePoint loaded_at{};
};

/// What the cache records through the metrics port, labelled by the cache's name.
struct ReadCacheCounters {
    ports::Counter* hits = nullptr;
    ports::Counter* misses = nullptr;
    ports::Counter* loads = nullptr;
    ports::Counter* evictions = nullptr;

    static ReadCacheCounters registered_in(ports::Metrics& metrics, const std::string& cache);
};

/// Thread-safe. Bounded by entries and by bytes (least recently used entries go first) and by
/// age. Lookups take one mutex for a hash lookup and an LRU splice; loads run outside it.
class ReadCache {
public:
    using Answer = std::shared_ptr<const CachedAnswer>;
    using Loader = std::function<CachedAnswer()>;

    ReadCache(std::string name, ReadCacheSettings settings, const ports::Clock& clock);
    ReadCache(const ReadCache&) = delete;
    ReadCache& operator=(const ReadCache&) = delete;

    /// Records hits, misses, loads and evictions there from now on. Call at wiring time.
    void measure_with(ports::Metrics& metrics);
    /// The bytes and entries held now, as samples of gomall_read_cache_bytes{cache,unit}: the owner
    /// of several caches reports them all from one callback family (see CatalogCache).
    void append_size_samples(std::vector<ports::Sample>& out) const;

    /// The fresh answer for `key`, or null. Never waits on anything but the cache's mutex: safe on
    /// an I/O thread. Refresh ahead: once an answer has lived 3/4 of its ttl, peek answers null to
    /// exactly one caller, which goes on to get_or_load and reloads it while everyone else is still
    /// answered from memory; so a hot key never expires under the crowd and makes it wait.
    Answer peek(std::string_view key);

    /// The fresh answer for `key`, loading it with `load` on a miss or when its refresh is due and was
    /// claimed through peek (the caller then waits for the reload). Concurrent misses of one key
    /// share one load (the others wait for it): a key costs one query however many ask at once.
    /// An exception from `load` reaches every waiter and nothing is cached. Blocks: never call it
    /// on an I/O thread.
    Answer get_or_load(const std::string& key, const Loader& load);

    /// Drops one key, or everything. A load already running when this is called still answers its
    /// waiters but is not kept, so an answer read before a change never outlives the change.
    void invalidate(std::string_view key);
    void clear();

    std::size_t size() const;
    std::size_t bytes() const;
    const std::string& name() const { return name_; }

private:
    struct Entry {
        Answer answer;
        TimePoint fresh_until;
        TimePoint refresh_after;  // from here on, one request is sent to reload it (see peek)
        bool refresh_claimed = false;
        std::list<std::string>::iterator lru_position;
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using Flight = std::shared_future<Answer>;

    Answer fresh_locked(std::string_view key, TimePoint now);
    void erase_locked(std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>::iterator it);
    void store_locked(const std::string& key, Answer answer);
    TimePoint fresh_until(const CachedAnswer& answer) const;
    /// When an answer is due for its refresh ahead of expiry.
    TimePoint refresh_after(const CachedAnswer& answer) const;
    static void count(ports::Counter* counter, std::uint64_t n = 1) {
        if (counter != nullptr) {
            counter->inc(n);
        }
    }

    const std::string name_;
    const ReadCacheSettings settings_;
    const ports::Clock& clock_;
    ReadCacheCounters counters_;

    mutable std::mutex mutex_;
    std::list<std::string> lru_;  // most recently used first
    std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries_;
    std::unordered_map<std::string, Flight, StringHash, std::equal_to<>> flights_;
    std::size_t bytes_ = 0;
    std::uint64_t epoch_ = 0;  // bumped by every invalidation
};

}  // namespace gomall::services
