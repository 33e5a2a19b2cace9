// The second level of the catalogue's read cache, shared by every instance (Redis in full mode), and
// the channel on which instances tell each other to drop what changed. A new or restarted instance
// finds the catalogue warm there; an admin's edit on one instance reaches the others' memory.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace gomall::ports {

/// An answer as the shared level keeps it: the encoded bytes, whether the key named anything, and
/// when the database was read (so every level bounds staleness from that instant).
struct SharedAnswer {
    std::string body;
    bool found = true;
    TimePoint loaded_at{};
};

/// Blocking calls: only from the blocking pool or a background thread, never an I/O thread. Every
/// call may throw DependencyUnavailable; callers treat the shared level as optional and go on to
/// the database.
class SharedReadCache {
public:
    virtual ~SharedReadCache() = default;

    virtual std::optional<SharedAnswer> get(const std::string& key) = 0;
    /// Kept at most `ttl`.
    virtual void put(const std::string& key, const SharedAnswer& answer, std::chrono::milliseconds ttl) = 0;
    virtual void remove(const std::string& key) = 0;

    /// A number every instance reads the same, bumped when the catalogue's lists change, so that
    /// list keys of an older generation are never read again. bump returns the new value.
    virtual long long generation() = 0;
    virtual long long bump_generation() = 0;

    /// Tells every instance (this one included) to drop `what` (a short text, see CatalogCache).
    virtual void publish(std::string_view what) = 0;
};

/// Delivers what other instances published. start() runs its own thread; `on_message` is called on
/// it, and `on_resubscribed` after every (re)connection, since messages sent while the channel was
/// down are lost and the receiver must assume anything changed.
class InvalidationSubscriber {
public:
    virtual ~InvalidationSubscriber() = default;
    virtual void start(std::function<void(std::string_view)> on_message, std::function<void()> on_resubscribed) = 0;
    virtual void stop() = 0;
};

}  // namespace gomall::ports
