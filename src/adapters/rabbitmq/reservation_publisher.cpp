// Publisher confirms done by hand (rabbitmq-c 0.11 has no helper): sequence numbers count the
// publishes on the confirm channel, and basic.ack / basic.nack frames settle them, `multiple` ones
// settling every earlier publish too.
#include "adapters/rabbitmq/reservation_publisher.hpp"

#include <algorithm>
#include <amqp_framing.h>
#include <stdexcept>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "adapters/rabbitmq/reconnect_backoff.hpp"
#include "adapters/rabbitmq/reservation_message.hpp"
#include "adapters/rabbitmq/reservation_topology.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kContentType = "application/json";
/// How long an idle publisher sleeps before checking that its connection is still alive.
constexpr milliseconds kIdleCheck{200};
/// How long it waits for acks before looking at the outbox again.
constexpr milliseconds kConfirmSlice{1};
/// Messages sent before reading acks again, so acks never pile up unread behind a huge burst.
constexpr std::size_t kSendBurst = 1024;

std::exception_ptr publish_error(const std::string& why) {
    return std::make_exception_ptr(std::runtime_error(why));
}

}  // namespace

ReservationPublisher::ReservationPublisher(RabbitSettings settings)
    : settings_(std::move(settings)), peer_(peer_of(settings_)) {}

ReservationPublisher::~ReservationPublisher() {
    stop();
}

void ReservationPublisher::start() {
    const std::lock_guard lifecycle(lifecycle_mutex_);
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            throw std::logic_error("the rabbitmq publisher was stopped and cannot be restarted");
        }
    }
    if (thread_.joinable()) {
        return;
    }
    thread_ = std::thread([this] { run(); });
    // Publishes fail fast while disconnected, so let the first attempt decide before serving;
    // a broker that neither answers nor refuses must not hold the start up for long.
    std::unique_lock lock(mutex_);
    state_changed_.wait_for(lock, settings_.connect_timeout * 2, [this] { return first_attempt_done_ || stopping_; });
}

void ReservationPublisher::stop() {
    const std::lock_guard lifecycle(lifecycle_mutex_);
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    state_changed_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ReservationPublisher::publish(OutgoingMessage message, std::unique_ptr<PublishWaiter> waiter) {
    std::string refusal;
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            refusal = "the reservation queue is stopping";
        } else if (!connected_.load()) {
            refusal = "rabbitmq at " + peer_ + " is unavailable (no connection)";
        } else {
            outbox_.push_back({std::move(message), std::move(waiter)});
            if (outbox_.size() == 1) {
                work_ready_.notify_one();  // the thread may be idle; otherwise it looks at the outbox anyway
            }
            return;
        }
    }
    waiter->complete(publish_error(refusal));
}

void ReservationPublisher::run() {
    ReconnectBackoff backoff(settings_.reconnect_min, settings_.reconnect_max);
    bool in_outage = false;  // warned about the current outage already
    int failed_attempts = 0;
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) {
                break;
            }
        }
        try {
            connect();
        } catch (const std::exception& e) {
            mark_first_attempt_done();
            ++failed_attempts;
            if (!in_outage) {
                spdlog::warn("rabbitmq publisher: {}; reservations are refused until it is back", e.what());
                in_outage = true;
            } else {
                spdlog::debug("rabbitmq publisher: attempt {} failed: {}", failed_attempts, e.what());
            }
            if (wait_for_stop(backoff.next())) {
                break;
            }
            continue;
        }
        if (in_outage) {
            spdlog::info("rabbitmq publisher: connected again to {} ({} failed attempts)", peer_, failed_attempts);
        } else {
            spdlog::info("rabbitmq publisher: connected to {}, queue '{}'", peer_, settings_.queue);
        }
        in_outage = false;
        failed_attempts = 0;
        backoff.reset();
        try {
            pump();
            break;  // stopping, and every confirm is in
        } catch (const std::exception& e) {
            spdlog::warn("rabbitmq publisher: {}", e.what());
            in_outage = true;
            // Late confirms on this connection could not be matched to anything: do not wait for its close.
            connection_->abandon();
            fail_everything(std::string("rabbitmq did not confirm the reservation: ") + e.what());
        }
    }
    fail_everything("the reservation queue is stopping");
    mark_first_attempt_done();
}

void ReservationPublisher::connect() {
    // With a cluster, every attempt goes to the next node: a node that is down costs one attempt.
    auto connection = std::make_unique<AmqpConnection>(endpoint_of(settings_, connect_attempts_++));
    declare_reservation_topology(*connection, settings_);
    connection->confirm_select();
    connection_ = std::move(connection);
    next_sequence_ = 1;
    {
        const std::lock_guard lock(mutex_);
        connected_ = true;
        first_attempt_done_ = true;
    }
    state_changed_.notify_all();
}

void ReservationPublisher::pump() {
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(mutex_);
            if (outbox_.empty() && in_flight_.empty() && unsent_.empty() && !stopping_) {
                work_ready_.wait_for(lock, kIdleCheck, [this] { return !outbox_.empty() || stopping_; });
            }
            while (!outbox_.empty()) {
                unsent_.push_back(std::move(outbox_.front()));
                outbox_.pop_front();
            }
            stopping = stopping_;
        }
        if (unsent_.empty() && in_flight_.empty()) {
            if (stopping) {
                return;
            }
            read_frames(milliseconds(0));  // notices a dropped connection, serves heartbeats
            continue;
        }
        send_unsent();
        read_frames(unsent_.empty() ? kConfirmSlice : milliseconds(0));
    }
}

void ReservationPublisher::send_unsent() {
    const auto deadline = SteadyClock::now() + settings_.confirm_timeout;
    for (std::size_t sent = 0; sent < kSendBurst && !unsent_.empty(); ++sent) {
        const std::size_t count = next_message_size();
        const OutgoingMessage& first = unsent_.front().message;
        // A throw leaves the reservations in unsent_, where fail_everything() finds them.
        if (count == 1) {
            connection_->publish(
                settings_.queue, {kContentType, first.message_id, true, first.traceparent}, first.body
            );
        } else {
            std::vector<std::string_view> bodies;
            bodies.reserve(count);
            for (std::size_t i = 0; i < count; ++i) {
                bodies.emplace_back(unsent_[i].message.body);
            }
            // Named by its first reservation; each element carries its own traceparent.
            connection_->publish(
                settings_.queue, {kContentType, first.message_id, true, first.traceparent}, pack_reservations(bodies)
            );
        }
        InFlight in_flight{{}, deadline};
        in_flight.waiters.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            in_flight.waiters.push_back(std::move(unsent_.front().waiter));
            unsent_.pop_front();
        }
        in_flight_.emplace(next_sequence_++, std::move(in_flight));
    }
}

std::size_t ReservationPublisher::next_message_size() const {
    const std::size_t most = std::min({settings_.publish_batch, kMaxReservationsPerMessage, unsent_.size()});
    std::size_t bytes = 2 + unsent_.front().message.body.size();  // brackets and the first object
    std::size_t count = 1;
    while (count < most) {
        bytes += 1 + unsent_[count].message.body.size();
        if (bytes > kMaxReservationBodyBytes) {
            break;  // the consumer refuses larger bodies
        }
        ++count;
    }
    return count;
}

void ReservationPublisher::read_frames(milliseconds wait) {
    if (!in_flight_.empty()) {
        // Deadlines grow with the sequence number, so the oldest publish is the first to time out.
        const auto overdue = in_flight_.begin()->second.deadline;
        const auto now = SteadyClock::now();
        if (now >= overdue) {
            throw AmqpError(
                "no confirm from rabbitmq at " + peer_ + " within " +
                std::to_string(settings_.confirm_timeout.count()) + " ms"
            );
        }
        wait = std::min(wait, std::chrono::ceil<milliseconds>(overdue - now));
    }
    auto frame = connection_->next_frame(wait);
    while (frame) {
        handle_frame(*frame);
        frame = connection_->next_frame(milliseconds(0));
    }
    connection_->release_buffers();
}

void ReservationPublisher::handle_frame(const amqp_frame_t& frame) {
    if (frame.frame_type != AMQP_FRAME_METHOD || frame.channel != AmqpConnection::kChannel) {
        return;
    }
    switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
            const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
            settle(ack->delivery_tag, ack->multiple != 0, nullptr);
            break;
        }
        case AMQP_BASIC_NACK_METHOD: {
            const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
            settle(
                nack->delivery_tag,
                nack->multiple != 0,
                publish_error("rabbitmq at " + peer_ + " refused to store the reservation (nack)")
            );
            break;
        }
        default:
            break;  // basic.return cannot happen: nothing is published as mandatory
    }
}

void ReservationPublisher::settle(std::uint64_t tag, bool multiple, const std::exception_ptr& error) {
    if (multiple) {
        // Tag 0 with `multiple` means every outstanding publish.
        const auto end = tag == 0 ? in_flight_.end() : in_flight_.upper_bound(tag);
        for (auto it = in_flight_.begin(); it != end; ++it) {
            for (auto& waiter : it->second.waiters) {
                waiter->complete(error);
            }
        }
        in_flight_.erase(in_flight_.begin(), end);
        return;
    }
    const auto it = in_flight_.find(tag);
    if (it != in_flight_.end()) {
        for (auto& waiter : it->second.waiters) {
            waiter->complete(error);
        }
        in_flight_.erase(it);
    }
}

void ReservationPublisher::fail_everything(const std::string& why) {
    std::deque<Pending> queued;
    {
        const std::lock_guard lock(mutex_);
        connected_ = false;
        queued.swap(outbox_);
    }
    connection_.reset();  // a healthy one (stopping) is closed politely by its destructor
    const auto error = publish_error(why);
    for (auto& [sequence, in_flight] : in_flight_) {
        for (auto& waiter : in_flight.waiters) {
            waiter->complete(error);
        }
    }
    in_flight_.clear();
    for (Pending& pending : unsent_) {
        pending.waiter->complete(error);
    }
    unsent_.clear();
    for (Pending& pending : queued) {
        pending.waiter->complete(error);
    }
}

void ReservationPublisher::mark_first_attempt_done() {
    {
        const std::lock_guard lock(mutex_);
        first_attempt_done_ = true;
    }
    state_changed_.notify_all();
}

bool ReservationPublisher::wait_for_stop(milliseconds delay) {
    std::unique_lock lock(mutex_);
    return work_ready_.wait_for(lock, delay, [this] { return stopping_; });
}

}  // namespace gomall::adapters::rabbitmq
