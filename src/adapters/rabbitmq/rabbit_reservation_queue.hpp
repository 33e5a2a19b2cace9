// The full-stack ReservationQueue: reservations become persistent messages on a durable RabbitMQ
// queue (publisher confirms), and consumer threads turn them into orders in batches.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/rabbitmq/consumer_counters.hpp"
#include "adapters/rabbitmq/publisher_counters.hpp"
#include "adapters/rabbitmq/rabbit_settings.hpp"
#include "domain/seckill.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/reservation_writer.hpp"
#include "ports/tracer.hpp"

namespace gomall::adapters::rabbitmq {

class DeliveryAttempts;
class ReservationConsumer;
class ReservationPublisher;
class StopSignal;

/// Topology (declared by every connection, idempotent): durable `queue`, dead-lettering through
/// the default exchange to durable `queue + ".dead"`. Messages: default exchange, routing key
/// `queue`, persistent, application/json, message_id = reservation id.
class RabbitReservationQueue final : public ports::ReservationQueue {
public:
    /// Consumers turn what they take off the queue into orders through `writer` (one
    /// writer.write() per batch, on consumer threads, possibly several at once; writer.give_up()
    /// for a reservation whose write failed max_attempts times). Null only for a queue that does
    /// not consume. Throws std::invalid_argument for unusable settings.
    RabbitReservationQueue(RabbitSettings settings, ports::ReservationWriter* writer);
    RabbitReservationQueue(const RabbitReservationQueue&) = delete;
    RabbitReservationQueue& operator=(const RabbitReservationQueue&) = delete;
    ~RabbitReservationQueue() override;  // stop()

    /// Spans from now on: a producer span per publish (child of the reservation's trace, its
    /// context sent in the message's `traceparent` header, ended on the confirm) and a consumer
    /// span per delivery (child of that header). Call before start(); `tracer` must outlive the queue.
    void trace_with(ports::Tracer& tracer) { tracer_ = &tracer; }

    /// Declares the topology, starts the publisher thread and the consumer threads. Does not throw
    /// when the broker is down: the threads keep retrying with backoff (one warning per outage).
    /// Returns once the publisher's first connection attempt is over. Throws std::logic_error after stop().
    void start();
    /// Idempotent: refuses new publishes, waits (bounded by confirm_timeout) for outstanding
    /// confirms, lets the consumers finish and ack their current batch, closes the connections
    /// and joins the threads.
    void stop();
    /// The publisher's connection is up (for /ready).
    bool connected() const;
    /// What this instance's consumers have received, requeued and dead-lettered so far.
    const ConsumerCounters& consumer_counters() const { return consumer_counters_; }
    /// Reservations the broker nacked, and those sent again on a new connection.
    const PublisherCounters& publisher_counters() const;

    /// Completes on the awaiting coroutine's executor once the broker confirmed the message.
    /// Throws std::runtime_error after repeated nacks, on a confirm timeout, a connection lost before the
    /// confirm, while disconnected (at once), and when stopping.
    boost::asio::awaitable<void> publish(domain::Reservation reservation) override;
    void on_outcome(std::function<void(const domain::Reservation&)> listener) override;

private:
    using Listener = std::function<void(const domain::Reservation&)>;

    /// Tells the listener every outcome of a settled batch; a throwing listener is logged, not fatal.
    void report(const std::vector<domain::Reservation>& outcomes) const;

    const RabbitSettings settings_;
    ports::ReservationWriter* const writer_;
    const std::function<void(const std::vector<domain::Reservation>&)> report_;
    const std::string publish_span_name_;
    ports::NullTracer null_tracer_;
    ports::Tracer* tracer_ = &null_tracer_;  // set before start()

    std::unique_ptr<ReservationPublisher> publisher_;
    std::unique_ptr<DeliveryAttempts> attempts_;
    std::unique_ptr<StopSignal> consumers_stop_;
    ConsumerCounters consumer_counters_;  // before the consumers, which count into it
    std::vector<std::unique_ptr<ReservationConsumer>> consumers_;

    std::mutex lifecycle_mutex_;  // serializes start() and stop()
    bool started_ = false;        // guarded by lifecycle_mutex_
    bool stopped_ = false;        // guarded by lifecycle_mutex_

    mutable std::mutex listener_mutex_;
    std::shared_ptr<const Listener> listener_;  // guarded by listener_mutex_
};

}  // namespace gomall::adapters::rabbitmq
