// Redis Cluster for RedisClient: keeps the slot map (from CLUSTER SLOTS), a few connections per
// master, sends each command to the master of its key's slot, and follows MOVED and ASK
// redirections. Used when `redis.cluster_nodes` is set.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapters/redis/cluster_routing.hpp"
#include "adapters/redis/redis_client.hpp"

namespace gomall::adapters::redis {

class RedisConnection;

/// submit() and connected() are thread-safe; everything else runs on the client's Redis thread.
class RedisClusterRouter : public std::enable_shared_from_this<RedisClusterRouter> {
public:
    RedisClusterRouter(boost::asio::io_context& io, const RedisSettings& settings);

    /// Connects to the seed nodes and loads the slot map (asynchronously).
    void start();
    void stop();
    bool connected() const;
    /// Sends the command to the master of its key's slot (any node for keyless commands) and
    /// follows up to a few redirections before the reply reaches `sink`.
    void submit(std::vector<std::string> args, std::unique_ptr<ReplySink> sink);

    /// How often the slot map is reloaded: normally, and while a master is unreachable (a
    /// failover is under way and the map will change).
    static constexpr std::chrono::milliseconds kRefreshHealthy{5000};
    static constexpr std::chrono::milliseconds kRefreshDegraded{250};

private:
    struct Node {
        NodeAddress address;
        std::vector<std::shared_ptr<RedisConnection>> links;
        std::atomic<std::size_t> next{0};
        std::chrono::steady_clock::time_point added;  // a command for a node still connecting waits
    };
    class RedirectingSink;
    class SlotsSink;

    /// The node at `address`, made (and its links started) on first use.
    std::shared_ptr<Node> node_at(const NodeAddress& address);
    /// The master of `slot` if the map knows it; otherwise any node.
    std::shared_ptr<Node> node_for_slot(std::optional<int> slot) const;
    void send(
        const std::shared_ptr<Node>& node, std::vector<std::string> args, std::unique_ptr<ReplySink> sink, bool asking
    );
    void route(std::vector<std::string> args, std::unique_ptr<ReplySink> sink, int attempt);
    /// A redirection taught us where one slot lives now.
    void learn(int slot, const NodeAddress& master);
    /// Any thread: reload the slot map soon (at most one reload in flight).
    void request_refresh();
    void refresh();
    void apply(const std::vector<SlotRange>& ranges);
    void schedule_periodic();

    boost::asio::io_context& io_;
    const RedisSettings& settings_;
    boost::asio::steady_timer periodic_;
    std::atomic<bool> refreshing_{false};
    std::atomic<bool> stopping_{false};
    mutable std::atomic<std::size_t> next_node_{0};

    mutable std::shared_mutex mutex_;
    std::vector<std::shared_ptr<Node>> nodes_;         // grows only; guarded by mutex_
    std::array<std::int16_t, kClusterSlots> slots_{};  // node index + 1 (0: unknown); guarded by mutex_
};

}  // namespace gomall::adapters::redis
