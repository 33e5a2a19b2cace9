// Flash-sale activities changed by an admin on one instance, told to the others over Redis
// pub/sub, so they index a new sale (or an edit, or an early end) at once instead of at their
// next refresh. Only news: the database stays the record, and a lost message is caught up by the
// refresh after every (re)subscription and by the reconciler's periodic one.
//
// A notice is acknowledged: every listening instance keeps itself in a presence set (a sorted set
// scored by when its entry lapses), answers each notice it applied by adding itself to the
// notice's acknowledgement set, and the sender waits, up to a bound, until every instance present
// has. So an admin's change is live on every instance when the admin's call returns (a shopper
// sent elsewhere by the balancer a moment later sees it), and an instance that is slow or gone
// costs the admin at most the bound.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_invalidation_subscriber.hpp"

namespace gomall::adapters::redis {

/// The channel under a key prefix.
std::string activity_channel(const std::string& key_prefix);

/// "<origin> <activity id> <notice number>": origin 16 lowercase hex digits, the id and the number
/// positive decimals without sign or leading zero (at most 18 digits). The number may be absent
/// (an older sender that waits for no acknowledgement): notice 0. nullopt for anything else.
struct ActivityNotice {
    std::string origin;
    std::int64_t activity_id = 0;
    std::int64_t notice = 0;
};
std::optional<ActivityNotice> parse_activity_notice(std::string_view message);

/// How long a sender waits for the acknowledgements, and how listeners keep their presence.
struct ActivityBroadcastTimings {
    std::chrono::milliseconds confirm_within{1000};
    std::chrono::milliseconds presence_every{1000};
    std::chrono::milliseconds presence_lapses_after{5000};
};

/// What one publish() saw: the other instances present, and how many applied the notice in time.
struct ActivityPublishReport {
    std::size_t listeners = 0;
    std::size_t confirmed = 0;
};

class RedisActivityBroadcast {
public:
    RedisActivityBroadcast(
        RedisSettings settings, const std::string& key_prefix, ActivityBroadcastTimings timings = {}
    );
    RedisActivityBroadcast(const RedisActivityBroadcast&) = delete;
    RedisActivityBroadcast& operator=(const RedisActivityBroadcast&) = delete;
    ~RedisActivityBroadcast() { stop(); }

    /// Blocking: PUBLISH, then up to `confirm_within` for the acknowledgements of the other
    /// instances present. Throws RedisUnavailable when Redis cannot be reached.
    ActivityPublishReport publish(std::int64_t activity_id);
    /// `on_changed` gets the other instances' notices (it has applied one when it returns without
    /// throwing); `on_resync` runs after every subscription. Both on the subscriber's own thread.
    void start(std::function<void(std::int64_t)> on_changed, std::function<void()> on_resync);
    void stop();

    const std::string& channel() const { return channel_; }
    const std::string& origin() const { return origin_; }

private:
    /// The other instances whose presence has not lapsed.
    std::vector<std::string> listeners_now();
    void acknowledge(const ActivityNotice& notice);
    /// The presence thread: refreshes this instance's entry while it is subscribed.
    void keep_present();
    std::string acks_key(const std::string& origin, std::int64_t notice) const;

    const std::string channel_;
    const std::string presence_key_;
    const std::string origin_;
    const ActivityBroadcastTimings timings_;
    std::mutex publish_mutex_;
    std::int64_t notices_sent_ = 0;  // guarded by publish_mutex_
    RedisBlockingConnection publisher_;
    RedisInvalidationSubscriber subscriber_;
    std::mutex presence_mutex_;
    std::condition_variable presence_wake_;
    bool stopping_ = true;   // guarded by presence_mutex_
    bool beat_now_ = false;  // guarded by presence_mutex_
    std::thread presence_;
};

}  // namespace gomall::adapters::redis
