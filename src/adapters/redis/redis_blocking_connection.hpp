// A blocking Redis connection for the rare calls that are not on the hot path (loading an activity
// from an admin request or at startup, the reconciler's pass). Never use it on an I/O thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/redis/cluster_routing.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_reply.hpp"
#include "adapters/redis/redis_script.hpp"

struct redisContext;

namespace gomall::adapters::redis {

/// Thread-safe (one call at a time). Connects lazily with the settings' timeout, and drops the
/// connection after any transport error so the next call starts afresh. With `cluster_nodes`,
/// keeps a connection per node it was sent to and follows MOVED/ASK redirections (learning
/// where each slot lives from MOVED).
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
    /// A connection to `address`, opened (AUTH, SELECT) if there is none.
    redisContext* context_for_locked(const NodeAddress& address);
    RedisReply command_locked(const NodeAddress& address, const std::vector<std::string>& args);
    RedisReply cluster_command_locked(const std::vector<std::string>& args);
    void drop_locked(const NodeAddress& address);

    const RedisSettings settings_;
    std::mutex mutex_;
    std::map<std::string, redisContext*> contexts_;  // by "host:port"
    std::map<int, NodeAddress> slot_owners_;         // cluster: learned from MOVED
};

}  // namespace gomall::adapters::redis
