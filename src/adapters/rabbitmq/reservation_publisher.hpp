// The publishing half of the RabbitMQ reservation queue: one thread with one confirm-mode channel
// that sends whatever publishers have queued, several reservations to a message, and completes
// each of them on the broker's confirm of its message.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/rabbitmq/amqp_connection.hpp"
#include "adapters/rabbitmq/publish_waiter.hpp"
#include "adapters/rabbitmq/publisher_counters.hpp"
#include "adapters/rabbitmq/rabbit_settings.hpp"
#include "adapters/rabbitmq/reconnect_backoff.hpp"

namespace gomall::adapters::rabbitmq {

/// One reservation for the reservation queue, already encoded (a JSON object, see reservation_message.hpp).
struct OutgoingMessage {
    std::string message_id;   // the reservation's id
    std::string body;         // the encoded reservation, its traceparent included
    std::string traceparent;  // the producer span's, sent as a header (empty: none)
};

/// Concurrent publishes share messages and confirm waits: the thread packs what is queued into
/// messages of up to `publish_batch` reservations (an array body; a lone one goes as it is), sends
/// them, then reads acks (often `multiple`) while more publishes queue up behind. Nothing waits to
/// fill a message: under load the queue fills while the thread is busy, when idle each goes alone.
/// While there is no connection, publish() fails at once instead of waiting; the thread
/// reconnects by itself with backoff.
///
/// A reservation is sent again on a new connection (to the next node of a cluster) rather than
/// failed when
///   - the broker nacks it (would not store it): a channel can keep refusing while the broker as
///     a whole would take the message (RabbitMQ 3.10's quorum queues nack every publish of a
///     channel whose first one went to a leader that had just stopped), and a new channel looks
///     the queue's leader up again; the new connection waits a backoff that grows with each nack;
///   - the connection fails while it is in flight or not yet sent (a node stopped or died): the
///     new connection is tried at once, the other nodes of a cluster after it, and if none can be
///     had within confirm_timeout everything waiting fails.
/// Each reservation is sent at most kMaxSends times. One sent twice is still written once (the
/// reservation id is the key of what the consumers write). A confirm that does not come within
/// confirm_timeout fails the reservation: its shopper has waited long enough.
class ReservationPublisher {
public:
    explicit ReservationPublisher(RabbitSettings settings);
    ReservationPublisher(const ReservationPublisher&) = delete;
    ReservationPublisher& operator=(const ReservationPublisher&) = delete;
    ~ReservationPublisher();

    /// Starts the thread and returns once its first connection attempt finished (or took too long);
    /// never throws because the broker is down. Idempotent; throws std::logic_error after stop().
    void start();
    /// Idempotent: refuses new publishes, waits (at most confirm_timeout) for the confirms of
    /// those already sent, fails whatever is left, closes the connection and joins the thread.
    void stop();
    /// The confirm channel is open (or being replaced after a failure), so publishes are accepted.
    bool connected() const { return connected_.load(); }
    /// Reservations nacked by the broker, and reservations sent again on a new connection.
    const PublisherCounters& counters() const { return counters_; }

    /// Times one reservation may be sent; after its last send fails, so does its publish.
    static constexpr int kMaxSends = 5;

    /// Thread-safe and non-blocking. `waiter` completes exactly once: with no error after the
    /// broker's confirm, or with std::runtime_error (nacked or cut off kMaxSends times, confirm
    /// timeout, no new connection after a failed one, not connected, stopping).
    void publish(OutgoingMessage message, std::unique_ptr<PublishWaiter> waiter);

private:
    struct Pending {
        OutgoingMessage message;
        std::unique_ptr<PublishWaiter> waiter;
        int sends = 0;  // times sent so far
    };
    struct InFlight {
        std::vector<Pending> reservations;  // one message's, kept to be sent again
        std::chrono::steady_clock::time_point deadline;
    };

    void run();
    /// Opens the connection, declares the topology and turns on confirms; throws on failure.
    void connect();
    /// Publishes and reads confirms until a stop leaves nothing in flight. Throws ChannelRefused
    /// once a nack's message is settled and nothing else is in flight, ConfirmOverdue when a
    /// confirm is late, AmqpError when the connection fails.
    void pump();
    void send_unsent();
    /// How many of the first unsent reservations go into the next message (at least one).
    std::size_t next_message_size() const;
    /// Reads the frames available within `wait` (bounded by the oldest confirm deadline).
    void read_frames(std::chrono::milliseconds wait);
    void handle_frame(const amqp_frame_t& frame);
    /// Confirms the in-flight publish `tag` (or all up to it), or takes its reservations back
    /// after a nack.
    void settle(std::uint64_t tag, bool multiple, bool acked);
    /// A reservation whose send came to nothing (`why`): kept in resend_ for the next connection,
    /// or failed with `why` after its last send.
    void take_back(Pending pending, const std::string& why);
    /// After the connection failed: everything in flight goes back (oldest first) to be sent again.
    void take_back_in_flight(const std::string& why);
    /// Drops the connection and fails every queued, unsent, taken-back and in-flight publish with `why`.
    void fail_everything(const std::string& why);
    /// The nodes a round of connection attempts goes through (1 without a cluster).
    int node_count() const;
    void mark_first_attempt_done();
    /// Sleeps up to `delay`; true once stopping.
    bool wait_for_stop(std::chrono::milliseconds delay);

    const RabbitSettings settings_;
    const std::string peer_;

    std::mutex lifecycle_mutex_;  // serializes start() and stop()
    std::thread thread_;

    mutable std::mutex mutex_;
    std::condition_variable work_ready_;     // the outbox got work, or stop
    std::condition_variable state_changed_;  // first connection attempt done, or stop
    std::deque<Pending> outbox_;             // guarded by mutex_
    bool stopping_ = false;                  // guarded by mutex_
    bool first_attempt_done_ = false;        // guarded by mutex_
    std::atomic<bool> connected_{false};     // written under mutex_, so publish() never queues while down

    // Publisher thread only.
    std::unique_ptr<AmqpConnection> connection_;
    std::deque<Pending> unsent_;                   // taken from the outbox, not yet sent
    std::deque<Pending> resend_;                   // taken back: sent again on the next connection
    bool refused_ = false;                         // resend_ holds a nack's reservations: this channel is done
    std::map<std::uint64_t, InFlight> in_flight_;  // by publish sequence number (the confirm's tag)
    std::uint64_t next_sequence_ = 1;
    std::size_t connect_attempts_ = 0;  // picks the cluster node of the next attempt
    ReconnectBackoff refusal_backoff_;  // the pause before a new connection after a nack
    PublisherCounters counters_;
};

}  // namespace gomall::adapters::rabbitmq
