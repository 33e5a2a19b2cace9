// Listens on the read cache's invalidation channel (SUBSCRIBE on its own connection and thread) and
// hands each notice to the catalogue cache; reconnects with backoff when Redis goes away.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/redis/redis_client.hpp"
#include "ports/shared_read_cache.hpp"

struct redisContext;

namespace gomall::adapters::redis {

class RedisInvalidationSubscriber final : public ports::InvalidationSubscriber {
public:
    RedisInvalidationSubscriber(RedisSettings settings, std::string channel)
        : settings_(std::move(settings)), channel_(std::move(channel)) {}
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
    std::function<void(std::string_view)> on_message_;
    std::function<void()> on_resubscribed_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> subscribed_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace gomall::adapters::redis
