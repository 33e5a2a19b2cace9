// Publisher confirms done by hand (rabbitmq-c 0.11 has no helper): sequence numbers count the
// publishes on the confirm channel, and basic.ack / basic.nack frames settle them, `multiple` ones
// settling every earlier publish too.
#include "adapters/rabbitmq/reservation_publisher.hpp"

#include <algorithm>
#include <amqp_framing.h>
#include <initializer_list>
#include <iterator>
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

/// The broker nacked what was sent on this connection: drop it and send the reservations again.
class ChannelRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A confirm did not come within confirm_timeout: its shopper has waited long enough.
class ConfirmOverdue : public AmqpError {
public:
    using AmqpError::AmqpError;
};

}  // namespace

ReservationPublisher::ReservationPublisher(RabbitSettings settings)
    : settings_(std::move(settings)),
      peer_(peer_of(settings_)),
      refusal_backoff_(settings_.reconnect_min, settings_.reconnect_max) {}

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
    // Since when reservations wait for a new connection (after a lost one or a nack), if they do.
    // (A flag and a time rather than an optional: GCC's -O3 flow analysis warns on the optional.)
    bool waiting = false;
    SteadyClock::time_point waiting_since{};
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
            // Reservations waiting to go again try the other nodes at once, within the time a
            // confirm may take: one stopped node must not fail them while the next one is fine.
            if (waiting && failed_attempts < node_count() &&
                SteadyClock::now() - waiting_since < settings_.confirm_timeout) {
                spdlog::debug("rabbitmq publisher: {}; trying the next node", e.what());
                continue;
            }
            waiting = false;
            if (!in_outage) {
                spdlog::warn("rabbitmq publisher: {}; reservations are refused until it is back", e.what());
                in_outage = true;
            } else {
                spdlog::debug("rabbitmq publisher: attempt {} failed: {}", failed_attempts, e.what());
            }
            // What waited to be sent again cannot wait for the outage to end: its shoppers are waiting.
            fail_everything(std::string("rabbitmq is unavailable: ") + e.what());
            if (wait_for_stop(backoff.next())) {
                break;
            }
            continue;
        }
        if (in_outage) {
            spdlog::info(
                "rabbitmq publisher: connected again to {} ({} failed attempts)", connection_->peer(), failed_attempts
            );
        } else if (resend_.empty()) {
            spdlog::info("rabbitmq publisher: connected to {}, queue '{}'", connection_->peer(), settings_.queue);
        } else {
            spdlog::info(
                "rabbitmq publisher: connected to {}, sending {} reservation(s) again",
                connection_->peer(),
                resend_.size()
            );
        }
        in_outage = false;
        failed_attempts = 0;
        waiting = false;
        backoff.reset();
        // Oldest first, ahead of what came in meanwhile.
        counters_.resent.fetch_add(resend_.size(), std::memory_order_relaxed);
        unsent_.insert(
            unsent_.begin(), std::make_move_iterator(resend_.begin()), std::make_move_iterator(resend_.end())
        );
        resend_.clear();
        refused_ = false;
        try {
            pump();
            break;  // stopping, and every confirm is in
        } catch (const ChannelRefused& e) {
            spdlog::warn("rabbitmq publisher: {}", e.what());
            // Publishes are still accepted meanwhile. Nothing is in flight, so the connection is
            // closed politely; the pause gives the broker time to settle what made it refuse.
            connection_.reset();
            waiting = true;
            waiting_since = SteadyClock::now();
            if (wait_for_stop(refusal_backoff_.next())) {
                break;
            }
        } catch (const ConfirmOverdue& e) {
            spdlog::warn("rabbitmq publisher: {}", e.what());
            in_outage = true;
            // Late confirms on this connection could not be matched to anything: do not wait for its close.
            connection_->abandon();
            fail_everything(std::string("rabbitmq did not confirm the reservation: ") + e.what());
        } catch (const std::exception& e) {
            // The connection failed: what was in flight may or may not be stored, what was not sent
            // surely is not. Both go again on a new connection, tried at once.
            connection_->abandon();
            connection_.reset();
            take_back_in_flight(std::string("rabbitmq did not confirm the reservation: ") + e.what());
            waiting = true;
            waiting_since = SteadyClock::now();
            const std::size_t count = resend_.size() + unsent_.size();
            if (count == 0) {
                spdlog::warn("rabbitmq publisher: {}; reconnecting", e.what());
            } else {
                spdlog::warn("rabbitmq publisher: {}; {} reservation(s) go again on a new connection", e.what(), count);
            }
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
        if (refused_ && in_flight_.empty()) {
            throw ChannelRefused(
                "rabbitmq at " + connection_->peer() + " refused to store " + std::to_string(resend_.size()) +
                " reservation(s) (nack); sending them again on a new connection"
            );
        }
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
        // After a nack nothing more goes on this channel: the rest waits for the next connection.
        if (!refused_) {
            send_unsent();
        }
        read_frames(unsent_.empty() || refused_ ? kConfirmSlice : milliseconds(0));
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
        in_flight.reservations.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            in_flight.reservations.push_back(std::move(unsent_.front()));
            unsent_.pop_front();
            ++in_flight.reservations.back().sends;
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
            throw ConfirmOverdue(
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
            settle(ack->delivery_tag, ack->multiple != 0, true);
            break;
        }
        case AMQP_BASIC_NACK_METHOD: {
            const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
            settle(nack->delivery_tag, nack->multiple != 0, false);
            break;
        }
        default:
            break;  // basic.return cannot happen: nothing is published as mandatory
    }
}

void ReservationPublisher::settle(std::uint64_t tag, bool multiple, bool acked) {
    auto settle_one = [&](InFlight& in_flight) {
        if (acked) {
            refusal_backoff_.reset();
            for (Pending& pending : in_flight.reservations) {
                pending.waiter->complete(nullptr);
            }
            return;
        }
        refused_ = true;
        for (Pending& pending : in_flight.reservations) {
            counters_.nacked.fetch_add(1, std::memory_order_relaxed);
            take_back(std::move(pending), "rabbitmq refused to store the reservation (nack)");
        }
    };
    if (multiple) {
        // Tag 0 with `multiple` means every outstanding publish.
        const auto end = tag == 0 ? in_flight_.end() : in_flight_.upper_bound(tag);
        for (auto it = in_flight_.begin(); it != end; ++it) {
            settle_one(it->second);
        }
        in_flight_.erase(in_flight_.begin(), end);
        return;
    }
    const auto it = in_flight_.find(tag);
    if (it != in_flight_.end()) {
        settle_one(it->second);
        in_flight_.erase(it);
    }
}

void ReservationPublisher::take_back(Pending pending, const std::string& why) {
    if (pending.sends < kMaxSends) {
        resend_.push_back(std::move(pending));
        return;
    }
    pending.waiter->complete(publish_error(why + ", sent " + std::to_string(pending.sends) + " times"));
}

void ReservationPublisher::take_back_in_flight(const std::string& why) {
    for (auto& [sequence, in_flight] : in_flight_) {
        for (Pending& pending : in_flight.reservations) {
            take_back(std::move(pending), why);
        }
    }
    in_flight_.clear();
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
        for (Pending& pending : in_flight.reservations) {
            pending.waiter->complete(error);
        }
    }
    in_flight_.clear();
    for (std::deque<Pending>* waiting : {&resend_, &unsent_, &queued}) {
        for (Pending& pending : *waiting) {
            pending.waiter->complete(error);
        }
        waiting->clear();
    }
    refused_ = false;
}

int ReservationPublisher::node_count() const {
    return settings_.nodes.empty() ? 1 : static_cast<int>(settings_.nodes.size());
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
