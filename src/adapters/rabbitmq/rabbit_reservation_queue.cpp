// Wires the publisher thread and the consumer threads of the RabbitMQ reservation queue together
// and adapts publish() to an Asio awaitable.
#include "adapters/rabbitmq/rabbit_reservation_queue.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "adapters/rabbitmq/delivery_attempts.hpp"
#include "adapters/rabbitmq/publish_waiter.hpp"
#include "adapters/rabbitmq/reservation_consumer.hpp"
#include "adapters/rabbitmq/reservation_message.hpp"
#include "adapters/rabbitmq/reservation_publisher.hpp"
#include "adapters/rabbitmq/reservation_topology.hpp"
#include "adapters/rabbitmq/stop_signal.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

namespace asio = boost::asio;

RabbitSettings validated(RabbitSettings s) {
    auto invalid = [](const std::string& what) {
        throw std::invalid_argument("rabbitmq settings: " + what);
    };
    if (s.host.empty()) {
        invalid("host must not be empty");
    }
    if (s.port < 1 || s.port > 65535) {
        invalid("port must be 1-65535");
    }
    if (s.queue.empty() || s.queue.size() > 200) {
        invalid("queue must be 1-200 characters");  // AMQP short strings; ".dead" must still fit
    }
    if (s.prefetch < 1 || s.prefetch > 65535) {
        invalid("prefetch must be 1-65535");
    }
    if (s.consumers < 0) {
        invalid("consumers must not be negative");
    }
    if (s.max_batch == 0) {
        invalid("max_batch must be positive");
    }
    if (s.publish_batch == 0 || s.publish_batch > kMaxReservationsPerMessage) {
        invalid("publish_batch must be 1-" + std::to_string(kMaxReservationsPerMessage));
    }
    if (s.max_attempts < 1) {
        invalid("max_attempts must be positive");
    }
    if (s.linger.count() < 0 || s.confirm_timeout.count() <= 0 || s.connect_timeout.count() <= 0 ||
        s.reconnect_min.count() <= 0 || s.reconnect_max < s.reconnect_min) {
        invalid("timeouts must be positive and reconnect_min <= reconnect_max");
    }
    return s;
}

}  // namespace

RabbitReservationQueue::RabbitReservationQueue(RabbitSettings settings, ports::ReservationWriter* writer)
    : settings_(validated(std::move(settings))),
      writer_(writer),
      report_([this](const std::vector<domain::Reservation>& outcomes) { report(outcomes); }),
      publish_span_name_("publish " + settings_.queue),
      publisher_(std::make_unique<ReservationPublisher>(settings_)),
      attempts_(std::make_unique<DeliveryAttempts>()),
      consumers_stop_(std::make_unique<StopSignal>()) {
    if (settings_.consume && settings_.consumers > 0 && writer_ == nullptr) {
        throw std::invalid_argument("rabbitmq reservation queue: consuming needs an order writer");
    }
}

RabbitReservationQueue::~RabbitReservationQueue() {
    stop();
}

void RabbitReservationQueue::start() {
    const std::lock_guard lifecycle(lifecycle_mutex_);
    if (stopped_) {
        throw std::logic_error("the rabbitmq reservation queue was stopped and cannot be restarted");
    }
    if (started_) {
        return;
    }
    started_ = true;
    const int consumers = settings_.consume ? settings_.consumers : 0;
    spdlog::info(
        "rabbitmq reservation queue: broker {} vhost '{}' user '{}', queue '{}' ({}), {} consumer(s)",
        peer_of(settings_),
        settings_.vhost,
        settings_.user,
        settings_.queue,
        settings_.queue_type == QueueType::kQuorum ? "quorum" : "classic",
        consumers
    );
    // Consumers first: they connect in the background while start() waits for the publisher.
    for (int i = 0; i < consumers; ++i) {
        consumers_.push_back(std::make_unique<ReservationConsumer>(
            settings_, i, *writer_, report_, *attempts_, *consumers_stop_, consumer_counters_, *tracer_
        ));
        consumers_.back()->start();
    }
    publisher_->start();
}

void RabbitReservationQueue::stop() {
    const std::lock_guard lifecycle(lifecycle_mutex_);
    if (stopped_) {
        return;
    }
    stopped_ = true;
    consumers_stop_->request();  // they finish and ack their batch while the publisher drains
    publisher_->stop();
    for (auto& consumer : consumers_) {
        consumer->join();
    }
    consumers_.clear();
    if (started_) {
        spdlog::info("rabbitmq reservation queue: stopped");
    }
}

bool RabbitReservationQueue::connected() const {
    return publisher_->connected();
}

const PublisherCounters& RabbitReservationQueue::publisher_counters() const {
    return publisher_->counters();
}

asio::awaitable<void> RabbitReservationQueue::publish(domain::Reservation reservation) {
    // The producer span lasts until the broker's confirm; its context travels in the message, so
    // the consumer's span joins the purchase's trace even on another instance. An unsampled span
    // still has ids: the header carries the trace on with its sampled flag.
    const TraceContext parent = reservation.trace.valid() ? reservation.trace : ActiveTrace::current();
    ports::Span span = tracer_->start(publish_span_name_, ports::SpanKind::kProducer, parent);
    if (span.recording()) {
        span.set_attribute("messaging.system", "rabbitmq");
        span.set_attribute("messaging.operation.type", "send");
        span.set_attribute("messaging.destination.name", settings_.queue);
        span.set_attribute("messaging.message.id", reservation.id);
        span.set_attribute("server.address", settings_.host);
        span.set_attribute("server.port", settings_.port);
    }
    std::string traceparent = format_traceparent(span.context());
    std::string body = encode_reservation(reservation, traceparent);
    OutgoingMessage message{reservation.id, std::move(body), std::move(traceparent)};
    try {
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr)>(
            [this](auto handler, OutgoingMessage&& m) {
                using Handler = decltype(handler);
                publisher_->publish(std::move(m), std::make_unique<HandlerPublishWaiter<Handler>>(std::move(handler)));
            },
            asio::use_awaitable,
            std::move(message)
        );
    } catch (const std::exception& e) {
        span.set_error(e.what());
        throw;
    }
}

void RabbitReservationQueue::on_outcome(std::function<void(const domain::Reservation&)> listener) {
    auto shared = listener ? std::make_shared<const Listener>(std::move(listener)) : nullptr;
    const std::lock_guard lock(listener_mutex_);
    listener_ = std::move(shared);
}

void RabbitReservationQueue::report(const std::vector<domain::Reservation>& outcomes) const {
    std::shared_ptr<const Listener> listener;
    {
        const std::lock_guard lock(listener_mutex_);
        listener = listener_;
    }
    if (!listener) {
        return;
    }
    for (const domain::Reservation& outcome : outcomes) {
        try {
            (*listener)(outcome);
        } catch (const std::exception& e) {
            spdlog::error("rabbitmq reservation queue: the outcome listener failed for {}: {}", outcome.id, e.what());
        } catch (...) {
            spdlog::error("rabbitmq reservation queue: the outcome listener failed for {}", outcome.id);
        }
    }
}

}  // namespace gomall::adapters::rabbitmq
