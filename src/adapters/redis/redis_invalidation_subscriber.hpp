// Listens on one Redis channel (SUBSCRIBE on its own connection and thread) and hands each message
// to its receiver; reconnects with backoff when Redis goes away. The read cache's invalidations and
// the token revocations each have one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/redis/redis_client.hpp"
#include "ports/shared_read_cache.hpp"

struct redisContext;

namespace gomall::adapters::redis {

class RedisInvalidationSubscriber final : public ports::InvalidationSubscriber {
public:
    /// `what` names the channel's use in the log lines about losing and regaining it.
    RedisInvalidationSubscriber(RedisSettings settings, std::string channel, std::string what = "read cache")
        : settings_(std::move(settings)), channel_(std::move(channel)), what_(std::move(what)) {}
    RedisInvalidationSubscriber(const RedisInvalidationSubscriber&) = delete;
    RedisInvalidationSubscriber& operator=(const RedisInvalidationSubscriber&) = delete;
    ~RedisInvalidationSubscriber() override { stop(); }

    void start(std::function<void(std::string_view)> on_message, std::function<void()> on_resubscribed) override;
    void stop() override;

    /// Subscribed right now (for tests and logs).
    bool subscribed() const { return subscribed_.load(); }

private:
    void run();
    /// Connects and subscribes; null when Redis cannot be reached.
    redisContext* subscribe();
    /// Reads notices until stop() or a broken connection.
    void listen(redisContext* context);
    void pause(std::chrono::milliseconds how_long);

    const RedisSettings settings_;
    const std::string channel_;
    const std::string what_;
    std::function<void(std::string_view)> on_message_;
    std::function<void()> on_resubscribed_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> subscribed_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    std::size_t attempts_ = 0;  // subscriber thread only: picks the cluster node of the next attempt
};

}  // namespace gomall::adapters::redis
