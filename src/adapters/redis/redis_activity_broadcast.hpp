// Flash-sale activities changed by an admin on one instance, told to the others over Redis
// pub/sub, so they index a new sale (or an edit, or an early end) at once instead of at their
// next refresh. Only news: the database stays the record, and a lost message is caught up by the
// refresh after every (re)subscription and by the reconciler's periodic one.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_invalidation_subscriber.hpp"

namespace gomall::adapters::redis {

/// The channel under a key prefix.
std::string activity_channel(const std::string& key_prefix);

/// "<origin> <activity id>": origin 16 lowercase hex digits, id a positive decimal without sign
/// or leading zero (at most 18 digits). nullopt for anything else.
struct ActivityNotice {
    std::string origin;
    std::int64_t activity_id = 0;
};
std::optional<ActivityNotice> parse_activity_notice(std::string_view message);

class RedisActivityBroadcast {
public:
    RedisActivityBroadcast(RedisSettings settings, const std::string& key_prefix);
    RedisActivityBroadcast(const RedisActivityBroadcast&) = delete;
    RedisActivityBroadcast& operator=(const RedisActivityBroadcast&) = delete;
    ~RedisActivityBroadcast() { stop(); }

    /// Blocking (one PUBLISH); throws RedisUnavailable when Redis cannot be reached.
    void publish(std::int64_t activity_id);
    /// `on_changed` gets the other instances' notices; `on_resync` runs after every subscription.
    /// Both on the subscriber's own thread.
    void start(std::function<void(std::int64_t)> on_changed, std::function<void()> on_resync);
    void stop();

    const std::string& channel() const { return channel_; }

private:
    const std::string channel_;
    const std::string origin_;
    std::mutex publish_mutex_;
    RedisBlockingConnection publisher_;
    RedisInvalidationSubscriber subscriber_;
};

}  // namespace gomall::adapters::redis
