// One blocking rabbitmq-c connection with channel 1 open, whose failures surface as AmqpError.
// rabbitmq-c is synchronous and not thread-safe: each connection belongs to one thread.
#pragma once

#include <amqp.h>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gomall::adapters::rabbitmq {

/// Where and how to log in. The password is only ever handed to rabbitmq-c, never logged.
struct AmqpEndpoint {
    std::string host = "127.0.0.1";
    int port = 5672;
    std::string user = "guest";
    std::string password = "guest";
    std::string vhost = "/";
    /// Bounds the TCP connect, the login handshake and every later RPC (declare, qos, close...).
    std::chrono::milliseconds timeout{5000};
    /// Requested heartbeat interval; rabbitmq-c answers heartbeats while it reads or publishes.
    int heartbeat_seconds = 30;
};

/// The broker could not be reached, refused a request, or the connection broke. The connection
/// that threw is unusable afterwards: drop it and open a new one.
class AmqpError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A message taken from a consumer: the delivery tag to settle it with and copies of its data.
struct AmqpDelivery {
    std::uint64_t delivery_tag = 0;
    bool redelivered = false;
    std::string message_id;
    std::string body;
    /// The `traceparent` header as sent (bounded, see trace_header.hpp), empty when absent or unusable.
    std::string traceparent;
};

/// The properties a message is published with.
struct AmqpMessageProperties {
    std::string_view content_type;
    std::string_view message_id;
    bool persistent = true;
    /// Sent as the `traceparent` header when not empty.
    std::string_view traceparent;
};

class AmqpConnection {
public:
    static constexpr amqp_channel_t kChannel = 1;

    /// Connects, logs in and opens channel 1; throws AmqpError with the reason when any step fails.
    explicit AmqpConnection(const AmqpEndpoint& endpoint);
    AmqpConnection(const AmqpConnection&) = delete;
    AmqpConnection& operator=(const AmqpConnection&) = delete;
    /// Closes the channel and the connection politely when they are still healthy.
    ~AmqpConnection();

    /// "host:port" of the broker, for messages.
    const std::string& peer() const { return peer_; }
    /// False once an operation failed; every later call on a broken connection throws.
    bool healthy() const { return !broken_; }
    /// Gives the connection up without the closing handshake (e.g. the broker stopped answering):
    /// the destructor then only closes the socket.
    void abandon() { broken_ = true; }

    /// Declares a durable, non-exclusive queue (idempotent while the arguments agree). A quorum
    /// queue is replicated over the cluster's nodes (Raft) instead of living on one node. With
    /// `dead_letter_to`, rejected messages are routed through the default exchange to that queue.
    void declare_durable_queue(
        const std::string& name, bool quorum = false, const std::optional<std::string>& dead_letter_to = {}
    );
    /// Messages ready in an existing queue (a passive declare).
    std::uint32_t ready_messages(const std::string& queue);
    void delete_queue(const std::string& queue);

    /// Turns on publisher confirms for channel 1: the broker then acks every publish by sequence number.
    void confirm_select();
    /// Sends basic.publish to the default exchange with `routing_key`. Success means sent, not confirmed.
    void publish(std::string_view routing_key, const AmqpMessageProperties& properties, std::string_view body);

    /// Limits unacknowledged deliveries to this consumer.
    void qos(std::uint16_t prefetch);
    /// Starts a consumer with manual acknowledgement on channel 1.
    void consume(const std::string& queue);
    /// Waits up to `timeout` for the next delivery. nullopt when none came (or another frame did).
    /// Throws AmqpError when the connection failed, or the broker closed it or cancelled the consumer.
    std::optional<AmqpDelivery> next_delivery(std::chrono::milliseconds timeout);
    void ack(std::uint64_t delivery_tag, bool multiple);
    /// Rejects one delivery; without requeue the broker dead-letters it (when the queue says where).
    void reject(std::uint64_t delivery_tag, bool requeue);
    void nack(std::uint64_t delivery_tag, bool multiple, bool requeue);

    /// Waits up to `timeout` (zero: only what is already there) for the next frame. nullopt on timeout.
    /// A channel.close or connection.close from the broker, or a transport failure, throws AmqpError.
    /// The frame's decoded data lives until release_buffers().
    std::optional<amqp_frame_t> next_frame(std::chrono::milliseconds timeout);
    /// Frees decoded frame memory; call when no frame returned by next_frame() is used any more.
    void release_buffers();

    /// Direct access for what this class does not wrap. Only from the owning thread.
    amqp_connection_state_t state() const { return state_.get(); }

private:
    struct StateDeleter {
        void operator()(amqp_connection_state_t state) const;
    };

    void ensure_healthy() const;
    /// Throws AmqpError("<what>: <reason>") unless the last RPC reply was normal.
    void check_rpc(const amqp_rpc_reply_t& reply, std::string_view what);
    /// Throws AmqpError("<what>: <reason>") unless `status` is AMQP_STATUS_OK.
    void check_status(int status, std::string_view what);
    [[noreturn]] void fail(const std::string& message);

    std::unique_ptr<amqp_connection_state_t_, StateDeleter> state_;
    std::string peer_;
    bool broken_ = false;
};

/// A readable reason for an RPC reply that was not normal (library error or broker exception).
std::string describe_rpc_reply(const amqp_rpc_reply_t& reply);

}  // namespace gomall::adapters::rabbitmq
