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
#include "adapters/rabbitmq/rabbit_settings.hpp"

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
    /// The confirm channel is open, so publishes are accepted.
    bool connected() const { return connected_.load(); }

    /// Thread-safe and non-blocking. `waiter` completes exactly once: with no error after the
    /// broker's confirm, or with std::runtime_error (nack, confirm timeout, connection lost,
    /// not connected, stopping).
    void publish(OutgoingMessage message, std::unique_ptr<PublishWaiter> waiter);

private:
    struct Pending {
        OutgoingMessage message;
        std::unique_ptr<PublishWaiter> waiter;
    };
    struct InFlight {
        std::vector<std::unique_ptr<PublishWaiter>> waiters;  // the reservations of one message
        std::chrono::steady_clock::time_point deadline;
    };

    void run();
    /// Opens the connection, declares the topology and turns on confirms; throws on failure.
    void connect();
    /// Publishes and reads confirms until a stop leaves nothing in flight. Throws AmqpError when
    /// the connection fails or a confirm is overdue.
    void pump();
    void send_unsent();
    /// How many of the first unsent reservations go into the next message (at least one).
    std::size_t next_message_size() const;
    /// Reads the frames available within `wait` (bounded by the oldest confirm deadline).
    void read_frames(std::chrono::milliseconds wait);
    void handle_frame(const amqp_frame_t& frame);
    /// Completes the in-flight publish `tag` (or all up to it) with `error`.
    void settle(std::uint64_t tag, bool multiple, const std::exception_ptr& error);
    /// Drops the connection and fails every queued, unsent and in-flight publish with `why`.
    void fail_everything(const std::string& why);
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
    std::map<std::uint64_t, InFlight> in_flight_;  // by publish sequence number (the confirm's tag)
    std::uint64_t next_sequence_ = 1;
    std::size_t connect_attempts_ = 0;  // picks the cluster node of the next attempt
};

}  // namespace gomall::adapters::rabbitmq
