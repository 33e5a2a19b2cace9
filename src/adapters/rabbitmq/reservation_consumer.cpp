// Batching consumer: the first delivery opens a batch, deliveries arriving within `linger` join it
// (up to max_batch reservations; a message may hold several), and one database step handles it
// before a single multiple-ack settles it.
#include "adapters/rabbitmq/reservation_consumer.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "adapters/rabbitmq/reconnect_backoff.hpp"
#include "adapters/rabbitmq/reservation_message.hpp"
#include "adapters/rabbitmq/reservation_topology.hpp"
#include "adapters/rabbitmq/trace_header.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

/// How long an idle consumer waits for a delivery before looking at the stop signal again.
constexpr milliseconds kPollSlice{50};
/// How much of an undecodable body goes into the log.
constexpr std::size_t kBodyPreview = 200;

constexpr const char* kFailReason = "could not be processed";

/// The context the database step runs under: the first recorded span of the batch (one
/// transaction writes every order of the batch, so its SQL can sit under only one of them).
TraceContext step_context(const std::vector<ports::Span*>& spans) {
    for (const ports::Span* span : spans) {
        if (span->recording()) {
            return span->context();
        }
    }
    return spans.empty() ? TraceContext{} : spans.front()->context();
}

}  // namespace

ReservationConsumer::ReservationConsumer(
    const RabbitSettings& settings,
    int index,
    ports::ReservationWriter& writer,
    const Report& report,
    DeliveryAttempts& attempts,
    StopSignal& stop,
    ConsumerCounters& counters,
    ports::Tracer& tracer
)
    : settings_(settings),
      index_(index),
      writer_(writer),
      report_(report),
      attempts_(attempts),
      stop_(stop),
      counters_(counters),
      tracer_(tracer),
      span_name_("process " + settings.queue) {}

ReservationConsumer::~ReservationConsumer() {
    stop_.request();
    join();
}

void ReservationConsumer::start() {
    if (!thread_.joinable()) {
        thread_ = std::thread([this] { run(); });
    }
}

void ReservationConsumer::join() {
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ReservationConsumer::run() {
    ReconnectBackoff backoff(settings_.reconnect_min, settings_.reconnect_max);
    bool in_outage = false;  // warned about the current outage already
    // Consumers start on different cluster nodes and move on to the next after a failure.
    std::size_t attempt = static_cast<std::size_t>(index_);
    while (!stop_.requested()) {
        bool consuming = false;
        try {
            AmqpConnection connection(endpoint_of(settings_, attempt++));
            declare_reservation_topology(connection, settings_);
            connection.qos(static_cast<std::uint16_t>(std::clamp(settings_.prefetch, 1, 65535)));
            connection.consume(settings_.queue);
            consuming = true;
            if (in_outage) {
                spdlog::info("rabbitmq consumer {}: consuming again from '{}'", index_, settings_.queue);
            }
            in_outage = false;
            backoff.reset();
            consume(connection);
            return;  // stopped; the connection closes politely and the broker requeues any prefetched rest
        } catch (const std::exception& e) {
            if (consuming) {
                spdlog::warn(
                    "rabbitmq consumer {}: {}; its unacknowledged messages go back to the queue, reconnecting",
                    index_,
                    e.what()
                );
            } else if (!in_outage) {
                spdlog::warn("rabbitmq consumer {}: {}; retrying", index_, e.what());
            } else {
                spdlog::debug("rabbitmq consumer {}: {}", index_, e.what());
            }
            in_outage = true;
        }
        stop_.wait_for(backoff.next());
    }
}

void ReservationConsumer::consume(AmqpConnection& connection) {
    const std::size_t max_batch = std::max<std::size_t>(settings_.max_batch, 1);
    std::vector<Decoded> batch;
    std::vector<Decoded> next;  // a message that did not fit the last batch opens the next one
    batch.reserve(max_batch);
    while (!stop_.requested()) {
        if (next.empty()) {
            auto first = connection.next_delivery(kPollSlice);
            if (!first) {
                continue;
            }
            take(connection, *first, next);
            if (next.empty()) {
                continue;  // dead-lettered
            }
        }
        batch.clear();
        batch.swap(next);
        const auto linger_end = SteadyClock::now() + settings_.linger;
        while (batch.size() < max_batch) {
            // After the linger, still take what has already arrived, without waiting.
            const auto left =
                std::max(std::chrono::duration_cast<milliseconds>(linger_end - SteadyClock::now()), milliseconds(0));
            auto more = connection.next_delivery(left);
            if (!more) {
                break;
            }
            take(connection, *more, next);
            if (batch.size() + next.size() > max_batch) {
                break;  // a message is never split between batches
            }
            std::move(next.begin(), next.end(), std::back_inserter(batch));
            next.clear();
        }
        handle_batch(connection, batch);
        batch.clear();  // ends the spans of the settled reservations
    }
}

void ReservationConsumer::take(AmqpConnection& connection, const AmqpDelivery& delivery, std::vector<Decoded>& batch) {
    counters_.delivered.fetch_add(1, std::memory_order_relaxed);
    if (delivery.redelivered) {
        counters_.redelivered.fetch_add(1, std::memory_order_relaxed);
    }
    std::string why;
    auto entries = decode_reservations(delivery.body, why);
    if (!entries) {
        ports::Span span = start_span(delivery, delivery.traceparent);
        span.set_error("undecodable message, dead-lettered");
        spdlog::error(
            "rabbitmq consumer {}: dead-lettering undecodable message '{}': {}; body starts with: {}",
            index_,
            delivery.message_id,
            why,
            delivery.body.substr(0, kBodyPreview)
        );
        connection.reject(delivery.delivery_tag, false);
        counters_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    for (ReservationEntry& entry : *entries) {
        // A reservation's own traceparent (several share a message) before the message's header.
        ports::Span span = start_span(delivery, entry.traceparent.empty() ? delivery.traceparent : entry.traceparent);
        if (span.recording()) {
            span.set_attribute("gomall.reservation.id", entry.reservation.id);
        }
        batch.push_back({delivery.delivery_tag, std::move(entry.reservation), std::move(span)});
    }
}

void ReservationConsumer::handle_batch(AmqpConnection& connection, std::vector<Decoded>& decoded) {
    if (decoded.empty()) {
        return;
    }
    std::vector<domain::Reservation> reservations;
    std::vector<ports::Span*> spans;
    reservations.reserve(decoded.size());
    spans.reserve(decoded.size());
    for (Decoded& item : decoded) {
        reservations.push_back(item.reservation);
        spans.push_back(&item.span);
    }
    std::optional<std::vector<domain::Reservation>> outcomes;
    {
        const ActiveTrace::Scope trace_scope(step_context(spans));  // the order-writing SQL joins it
        outcomes = try_fulfil(std::move(reservations));
    }
    if (outcomes) {
        report_(*outcomes);
        for (const Decoded& item : decoded) {
            attempts_.forget(item.reservation.id);
        }
        // Every earlier delivery of this channel is settled already, so one multiple-ack covers the batch.
        connection.ack(decoded.back().delivery_tag, true);
        return;
    }
    retry_one_by_one(connection, decoded);
}

void ReservationConsumer::retry_one_by_one(AmqpConnection& connection, std::vector<Decoded>& batch) {
    // What becomes of each message once all its reservations were tried: a message goes back to
    // the queue while any of them must be tried again (the others are written by then and come
    // back as they are stored), to the dead-letter queue when one failed every attempt, else it is acked.
    struct Fate {
        bool requeue = false;
        bool dead_letter = false;
    };
    std::map<std::uint64_t, Fate> fates;
    int most_failures = 0;
    for (Decoded& item : batch) {
        Fate& fate = fates[item.delivery_tag];
        // A batch of one already failed alone; trying it again at once would only double its count.
        std::optional<std::vector<domain::Reservation>> outcome;
        if (batch.size() > 1) {
            const ActiveTrace::Scope trace_scope(item.span.context());
            outcome = try_fulfil(std::vector<domain::Reservation>{item.reservation});
        }
        if (outcome) {
            report_(*outcome);
            attempts_.forget(item.reservation.id);
            continue;
        }
        const int failures = attempts_.record_failure(item.reservation.id);
        item.span.set_attribute("gomall.delivery.failures", failures);
        if (failures < settings_.max_attempts) {
            item.span.set_error("the database step failed; requeued");
            fate.requeue = true;
            most_failures = std::max(most_failures, failures);
            continue;
        }
        const auto settled = give_up(item.reservation, failures);
        if (!settled) {
            item.span.set_error("the failure could not be recorded; requeued");
            fate.requeue = true;
            most_failures = std::max(most_failures, failures);
            continue;
        }
        // Reported before the ack or reject: a crash in between redelivers it rather than losing the outcome.
        report_(std::vector<domain::Reservation>{*settled});
        attempts_.forget(item.reservation.id);
        if (settled->status == domain::ReservationStatus::kFailed) {
            spdlog::error(
                "rabbitmq consumer {}: reservation {} (activity {}, user {}) failed {} times; dead-lettering it as "
                "failed",
                index_,
                item.reservation.id,
                item.reservation.activity_id,
                item.reservation.user_id,
                failures
            );
            fate.dead_letter = true;
            item.span.set_error("failed every attempt; dead-lettered");
        }
        // else: its order was written after all
    }
    std::vector<std::uint64_t> requeue;
    for (const auto& [tag, fate] : fates) {
        if (fate.requeue) {
            requeue.push_back(tag);
        } else if (fate.dead_letter) {
            connection.reject(tag, false);
            counters_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
        } else {
            connection.ack(tag, false);
        }
    }
    if (requeue.empty()) {
        return;
    }
    // Holding the failed messages a while keeps a broken database from being hammered; a stop
    // cuts the wait short (they go back to the queue either way).
    stop_.wait_for(retry_delay(most_failures));
    for (const std::uint64_t tag : requeue) {
        connection.nack(tag, false, true);
    }
    counters_.requeued.fetch_add(requeue.size(), std::memory_order_relaxed);
}

ports::Span ReservationConsumer::start_span(const AmqpDelivery& delivery, std::string_view traceparent) const {
    // A missing, oversized or malformed traceparent only costs the link to the purchase: a new trace.
    ports::Span span = tracer_.start(span_name_, ports::SpanKind::kConsumer, parent_from_traceparent(traceparent));
    if (span.recording()) {
        span.set_attribute("messaging.system", "rabbitmq");
        span.set_attribute("messaging.operation.type", "process");
        span.set_attribute("messaging.destination.name", settings_.queue);
        span.set_attribute("messaging.message.id", delivery.message_id.substr(0, kBodyPreview));
        span.set_attribute("messaging.rabbitmq.message.delivery_tag", static_cast<std::int64_t>(delivery.delivery_tag));
        span.set_attribute("gomall.delivery.redelivered", delivery.redelivered);
    }
    return span;
}

std::optional<domain::Reservation> ReservationConsumer::give_up(const domain::Reservation& reservation, int failures) {
    domain::Reservation failed = reservation;
    failed.status = domain::ReservationStatus::kFailed;
    failed.order_no.clear();
    failed.fail_reason = kFailReason;
    try {
        return writer_.give_up(failed);
    } catch (const std::exception& e) {
        spdlog::warn(
            "rabbitmq consumer {}: reservation {} failed {} times and its failure cannot be recorded ({}); "
            "keeping it in the queue",
            index_,
            reservation.id,
            failures,
            e.what()
        );
    } catch (...) {
        spdlog::warn(
            "rabbitmq consumer {}: reservation {} failed {} times and its failure cannot be recorded; keeping it",
            index_,
            reservation.id,
            failures
        );
    }
    return std::nullopt;
}

std::optional<std::vector<domain::Reservation>> ReservationConsumer::try_fulfil(std::vector<domain::Reservation> batch
) {
    const std::size_t size = batch.size();
    const std::string first_id = batch.empty() ? std::string() : batch.front().id;
    try {
        auto outcomes = writer_.write(std::move(batch));
        if (outcomes.size() == size) {
            return outcomes;
        }
        spdlog::error(
            "rabbitmq consumer {}: the database step returned {} outcomes for {} reservations",
            index_,
            outcomes.size(),
            size
        );
    } catch (const std::exception& e) {
        spdlog::warn(
            "rabbitmq consumer {}: the database step failed for {} reservation(s) from {}: {}",
            index_,
            size,
            first_id,
            e.what()
        );
    } catch (...) {
        spdlog::warn(
            "rabbitmq consumer {}: the database step failed for {} reservation(s) from {}", index_, size, first_id
        );
    }
    return std::nullopt;
}

milliseconds ReservationConsumer::retry_delay(int failures) const {
    ReconnectBackoff backoff(settings_.reconnect_min, settings_.reconnect_max);
    milliseconds delay = backoff.next();
    for (int i = 1; i < failures; ++i) {
        delay = backoff.next();
    }
    return delay;
}

}  // namespace gomall::adapters::rabbitmq
