// Redis Cluster routing: which of the 16384 hash slots a command's key lives in, what a MOVED or
// ASK redirection says, and the slot ranges of a CLUSTER SLOTS reply.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/redis/redis_reply.hpp"

namespace gomall::adapters::redis {

inline constexpr int kClusterSlots = 16384;

struct NodeAddress {
    std::string host;
    int port = 0;
    std::string text() const { return host + ":" + std::to_string(port); }
    bool operator==(const NodeAddress&) const = default;
};

/// "host:port" with a port of 1-65535 (IPv6 hosts in brackets are not supported); nullopt otherwise.
std::optional<NodeAddress> parse_node_address(std::string_view text);

/// The slot of a key: CRC16 (XMODEM) of the key, or of the part inside its first non-empty
/// {hash tag}, modulo 16384 — the same as Redis computes.
int key_slot(std::string_view key);

/// The key a command is routed by: the first key of EVAL/EVALSHA (none when numkeys is 0), the
/// first argument of every other command we send, and none for commands that have no key
/// (PING, PUBLISH, SCRIPT, CLUSTER, ...), which any node may answer.
std::optional<std::string_view> routing_key(const std::vector<std::string>& args);

struct Redirection {
    enum class Kind { kMoved, kAsk };
    Kind kind = Kind::kMoved;
    int slot = 0;
    NodeAddress target;
};

/// A MOVED or ASK error reply ("MOVED 3999 127.0.0.1:6381"); nullopt for any other reply or a
/// malformed one.
std::optional<Redirection> parse_redirection(const RedisReply& reply);

struct SlotRange {
    int first = 0;
    int last = 0;  // inclusive
    NodeAddress master;
};

/// The ranges of a CLUSTER SLOTS reply (each: first, last, then the master's [host, port, ...]
/// and its replicas). Throws std::runtime_error on a reply of another shape. An empty host (a node
/// announcing no address) means the node that answered: `answered_by`.
std::vector<SlotRange> parse_cluster_slots(const RedisReply& reply, const NodeAddress& answered_by);

}  // namespace gomall::adapters::redis
