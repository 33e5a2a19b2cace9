// The consuming half of the RabbitMQ reservation queue: one thread with its own connection that
// turns batches of reservations into orders through the database step, and acks them afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/rabbitmq/amqp_connection.hpp"
#include "adapters/rabbitmq/consumer_counters.hpp"
#include "adapters/rabbitmq/delivery_attempts.hpp"
#include "adapters/rabbitmq/rabbit_settings.hpp"
#include "adapters/rabbitmq/stop_signal.hpp"
#include "domain/seckill.hpp"
#include "ports/reservation_writer.hpp"
#include "ports/tracer.hpp"

namespace gomall::adapters::rabbitmq {

/// A message is acknowledged only after the database step returned the outcome of each of its
/// reservations and `report` saw them, so a crash or a dropped connection means a redelivery
/// (harmless: the step is idempotent), never a lost reservation. Undecodable messages are
/// dead-lettered at once. When a batch fails, each reservation is tried alone, so one bad row
/// cannot hold up the rest; one whose step keeps failing is retried with backoff (its message goes
/// back to the queue), and after max_attempts its failure is recorded through `writer.give_up()` (kept and
/// retried while that throws) before its message is dead-lettered and it is reported failed.
/// Each reservation gets a consumer span, child of its own traceparent (in the body when several
/// share a message, else the message's header; a new trace when missing or malformed), ended when
/// it is settled; the database step's SQL runs under the span of the batch's first sampled one.
class ReservationConsumer {
public:
    using Report = std::function<void(const std::vector<domain::Reservation>&)>;

    /// Everything passed by reference must outlive the consumer.
    ReservationConsumer(
        const RabbitSettings& settings,
        int index,
        ports::ReservationWriter& writer,
        const Report& report,
        DeliveryAttempts& attempts,
        StopSignal& stop,
        ConsumerCounters& counters,
        ports::Tracer& tracer
    );
    ReservationConsumer(const ReservationConsumer&) = delete;
    ReservationConsumer& operator=(const ReservationConsumer&) = delete;
    ~ReservationConsumer();

    void start();
    /// Returns after the stop signal once the current batch is settled and the connection closed.
    void join();

private:
    /// One reservation of a delivery (a message may hold several).
    struct Decoded {
        std::uint64_t delivery_tag = 0;
        domain::Reservation reservation;
        ports::Span span;  // ended when the message is settled
    };

    void run();
    /// Consumes until the stop signal; throws AmqpError when the connection fails.
    void consume(AmqpConnection& connection);
    /// Adds the delivery's reservations to `batch`, or dead-letters it when its body is undecodable.
    void take(AmqpConnection& connection, const AmqpDelivery& delivery, std::vector<Decoded>& batch);
    void handle_batch(AmqpConnection& connection, std::vector<Decoded>& decoded);
    /// A consumer span for a reservation of `delivery`, child of `traceparent`.
    ports::Span start_span(const AmqpDelivery& delivery, std::string_view traceparent) const;
    /// The batch failed as a whole: each message on its own, so one bad message cannot hold up the rest.
    void retry_one_by_one(AmqpConnection& connection, std::vector<Decoded>& batch);
    /// writer.write(batch) checked for its size, or nullopt (logged) when it threw.
    std::optional<std::vector<domain::Reservation>> try_fulfil(std::vector<domain::Reservation> batch);
    /// The reservation's final state once it failed max_attempts times (see GiveUp), or nullopt
    /// (logged) when that cannot be recorded now.
    std::optional<domain::Reservation> give_up(const domain::Reservation& reservation, int failures);
    /// The backoff before a message that failed `failures` times is handed out again.
    std::chrono::milliseconds retry_delay(int failures) const;

    const RabbitSettings& settings_;
    const int index_;
    ports::ReservationWriter& writer_;
    const Report& report_;
    DeliveryAttempts& attempts_;
    StopSignal& stop_;
    ConsumerCounters& counters_;
    ports::Tracer& tracer_;
    const std::string span_name_;
    std::thread thread_;
};

}  // namespace gomall::adapters::rabbitmq
