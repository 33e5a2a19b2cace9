// Token revocations shared by the shop's instances over Redis pub/sub: PUBLISH on
// `<key_prefix>:auth:revocations` from a thread of its own (a logout never waits on Redis), and a
// subscriber connection that hands the other instances' events on. Pub/sub delivers only to whoever
// is subscribed at that moment: the receiver catches up from the database after every subscription.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_invalidation_subscriber.hpp"
#include "ports/metrics.hpp"
#include "ports/revocation_feed.hpp"

namespace gomall::adapters::redis {

/// Thread-safe. Messages are revocation_message.hpp's; an undecodable one is counted and dropped.
class RedisRevocationFeed final : public ports::RevocationFeed {
public:
    /// Events waiting to be published; beyond this they are dropped (counted; the database has them).
    static constexpr std::size_t kMaxQueued = 10000;

    RedisRevocationFeed(RedisSettings settings, const std::string& key_prefix);
    RedisRevocationFeed(const RedisRevocationFeed&) = delete;
    RedisRevocationFeed& operator=(const RedisRevocationFeed&) = delete;
    ~RedisRevocationFeed() override { stop(); }

    /// Counts messages in `metrics` from now on. Call before start().
    void measure_with(ports::Metrics& metrics);

    /// Queued for the publishing thread (started by start()); never blocks on Redis.
    void publish(const ports::RevocationEvent& event) override;
    void start(std::function<void(const ports::RevocationEvent&)> on_event, std::function<void()> on_resync) override;
    /// Sends what is still queued (unless Redis fails meanwhile), then stops both threads.
    void stop() override;

    const std::string& channel() const { return channel_; }
    /// This instance's id in its messages (16 hex digits, new for every feed object).
    const std::string& origin() const { return origin_; }
    bool subscribed() const { return subscriber_.subscribed(); }
    std::uint64_t published() const { return published_count_.load(); }
    std::uint64_t malformed() const { return malformed_count_.load(); }

private:
    void run_publisher();
    /// PUBLISH, once more on a fresh connection if the first try fails; false when both failed.
    bool send(const std::string& message);
    void receive(std::string_view text);

    const std::string channel_;
    const std::string origin_;
    RedisBlockingConnection connection_;
    RedisInvalidationSubscriber subscriber_;
    std::function<void(const ports::RevocationEvent&)> on_event_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    bool running_ = false;
    bool stopping_ = false;
    std::thread publisher_;

    std::atomic<std::uint64_t> published_count_{0};
    std::atomic<std::uint64_t> failed_count_{0};
    std::atomic<std::uint64_t> malformed_count_{0};
    ports::Counter* published_ = nullptr;
    ports::Counter* publish_failed_ = nullptr;
    ports::Counter* dropped_ = nullptr;
    ports::Counter* malformed_ = nullptr;
};

}  // namespace gomall::adapters::redis
