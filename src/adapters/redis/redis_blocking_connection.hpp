// A blocking Redis connection for the rare calls that are not on the hot path (loading an activity
// from an admin request or at startup, the reconciler's pass). Never use it on an I/O thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_reply.hpp"
#include "adapters/redis/redis_script.hpp"

struct redisContext;

namespace gomall::adapters::redis {

/// Thread-safe (one call at a time). Connects lazily with the settings' timeout, and drops the
/// connection after any transport error so the next call starts afresh.
class RedisBlockingConnection {
public:
    explicit RedisBlockingConnection(RedisSettings settings);
    RedisBlockingConnection(const RedisBlockingConnection&) = delete;
    RedisBlockingConnection& operator=(const RedisBlockingConnection&) = delete;
    ~RedisBlockingConnection();

    /// Error replies are returned; RedisUnavailable is thrown when Redis cannot be reached.
    RedisReply command(const std::vector<std::string>& args);
    RedisReply eval(
        const RedisScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args
    );

private:
    RedisReply command_locked(const std::vector<std::string>& args);
    void connect_locked();
    void drop_locked();

    const RedisSettings settings_;
    std::mutex mutex_;
    redisContext* context_ = nullptr;
};

}  // namespace gomall::adapters::redis
