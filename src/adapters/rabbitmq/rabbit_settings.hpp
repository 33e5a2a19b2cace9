// Settings of the RabbitMQ reservation queue: where the broker is, the queue's name, and how the
// publisher and the consumers pace themselves.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace gomall::adapters::rabbitmq {

/// Classic: the queue lives on the node that declared it. Quorum: replicated over the cluster's
/// nodes (Raft), so it survives the loss of a minority of them; the broker confirms a publish once
/// a majority has it on disk.
enum class QueueType { kClassic, kQuorum };

struct RabbitSettings {
    std::string host = "127.0.0.1";
    int port = 5672;
    std::string user = "guest";
    std::string password = "guest";  // never logged
    std::string vhost = "/";
    /// A cluster's nodes (host, port); each (re)connection tries the next one. Empty: host:port.
    std::vector<std::pair<std::string, int>> nodes;
    std::string queue = "gomall.seckill.reservations";  // dead letters go to queue + ".dead"
    QueueType queue_type = QueueType::kClassic;         // both queues; changing it needs them deleted
    int prefetch = 500;                                 // basic.qos per consumer
    int consumers = 1;                                  // consumer threads, each with its own connection
    std::size_t publish_batch = 64;                     // most reservations packed into one message
    std::size_t max_batch = 256;                        // reservations handed to fulfil at once
    std::chrono::milliseconds linger{2};                // wait for more messages before a batch is processed
    std::chrono::milliseconds confirm_timeout{5000};    // publish() fails if no confirm by then
    std::chrono::milliseconds reconnect_min{100};       // backoff between connection attempts,
    std::chrono::milliseconds reconnect_max{5000};      // doubling from min to max
    int max_attempts = 5;  // a message whose fulfil keeps throwing is dead-lettered after this
    bool consume = true;   // false: publish only (tests, or an instance that only accepts)
    /// Bounds connecting, logging in and every broker RPC of a connection attempt.
    std::chrono::milliseconds connect_timeout{3000};
};

}  // namespace gomall::adapters::rabbitmq
