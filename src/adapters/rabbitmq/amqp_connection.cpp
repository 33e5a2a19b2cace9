// rabbitmq-c calls wrapped so that every failure becomes an AmqpError naming the step and the reason.
#include "adapters/rabbitmq/amqp_connection.hpp"

#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <array>
#include <sys/time.h>
#include <utility>

#include "adapters/rabbitmq/trace_header.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
    if (ms.count() < 0) {
        ms = std::chrono::milliseconds(0);
    }
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
    return tv;
}

amqp_bytes_t to_bytes(std::string_view text) {
    // rabbitmq-c only reads through this pointer when sending.
    return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

std::string to_string(amqp_bytes_t bytes) {
    return bytes.len == 0 ? std::string() : std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

template <class CloseMethod>
std::string describe_close(const char* who, const void* decoded) {
    const auto* close = static_cast<const CloseMethod*>(decoded);
    return std::string(who) + " (" + std::to_string(close->reply_code) + " " + to_string(close->reply_text) + ")";
}

}  // namespace

std::string describe_rpc_reply(const amqp_rpc_reply_t& reply) {
    switch (reply.reply_type) {
        case AMQP_RESPONSE_NORMAL:
            return "ok";
        case AMQP_RESPONSE_NONE:
            return "no reply from the broker";
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return amqp_error_string2(reply.library_error);
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
                return describe_close<amqp_connection_close_t>("the broker closed the connection", reply.reply.decoded);
            }
            if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
                return describe_close<amqp_channel_close_t>("the broker closed the channel", reply.reply.decoded);
            }
            return "unexpected broker method " + std::to_string(reply.reply.id);
    }
    return "unknown reply type";
}

void AmqpConnection::StateDeleter::operator()(amqp_connection_state_t state) const {
    amqp_destroy_connection(state);  // also closes the socket
}

AmqpConnection::AmqpConnection(const AmqpEndpoint& endpoint)
    : state_(amqp_new_connection()), peer_(endpoint.host + ":" + std::to_string(endpoint.port)) {
    if (!state_) {
        throw AmqpError("rabbitmq: out of memory creating a connection");
    }
    amqp_socket_t* socket = amqp_tcp_socket_new(state_.get());
    if (socket == nullptr) {
        throw AmqpError("rabbitmq: out of memory creating a socket");
    }
    const timeval timeout = to_timeval(endpoint.timeout);
    const int opened = amqp_socket_open_noblock(socket, endpoint.host.c_str(), endpoint.port, &timeout);
    if (opened != AMQP_STATUS_OK) {
        broken_ = true;
        // rabbitmq-c does not keep the OS error (errno is left at EINPROGRESS), hence the hint.
        throw AmqpError(
            "cannot connect to rabbitmq at " + peer_ + ": " + amqp_error_string2(opened) +
            " (is the broker running and listening there?)"
        );
    }
    amqp_set_handshake_timeout(state_.get(), &timeout);
    amqp_set_rpc_timeout(state_.get(), &timeout);
    check_rpc(
        amqp_login(
            state_.get(),
            endpoint.vhost.c_str(),
            0,
            AMQP_DEFAULT_FRAME_SIZE,
            endpoint.heartbeat_seconds,
            AMQP_SASL_METHOD_PLAIN,
            endpoint.user.c_str(),
            endpoint.password.c_str()
        ),
        "log in to rabbitmq at " + peer_ + " as '" + endpoint.user + "' on vhost '" + endpoint.vhost +
            "' (the broker closes the connection on a wrong user, password or vhost)"
    );
    amqp_channel_open(state_.get(), kChannel);
    check_rpc(amqp_get_rpc_reply(state_.get()), "open a channel on rabbitmq at " + peer_);
}

AmqpConnection::~AmqpConnection() {
    if (!broken_) {
        // Best effort, bounded by the RPC timeout; the socket is closed by the deleter either way.
        amqp_channel_close(state_.get(), kChannel, AMQP_REPLY_SUCCESS);
        amqp_connection_close(state_.get(), AMQP_REPLY_SUCCESS);
    }
}

void AmqpConnection::fail(const std::string& message) {
    broken_ = true;
    throw AmqpError(message);
}

void AmqpConnection::ensure_healthy() const {
    if (broken_) {
        throw AmqpError("the rabbitmq connection to " + peer_ + " is broken");
    }
}

void AmqpConnection::check_rpc(const amqp_rpc_reply_t& reply, std::string_view what) {
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        fail("cannot " + std::string(what) + ": " + describe_rpc_reply(reply));
    }
}

void AmqpConnection::check_status(int status, std::string_view what) {
    if (status != AMQP_STATUS_OK) {
        fail("cannot " + std::string(what) + " on rabbitmq at " + peer_ + ": " + amqp_error_string2(status));
    }
}

void AmqpConnection::declare_durable_queue(
    const std::string& name, bool quorum, const std::optional<std::string>& dead_letter_to
) {
    ensure_healthy();
    std::array<amqp_table_entry_t, 3> entries{};
    int count = 0;
    if (quorum) {
        entries[count].key = amqp_cstring_bytes("x-queue-type");
        entries[count].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[count].value.value.bytes = amqp_cstring_bytes("quorum");
        ++count;
    }
    if (dead_letter_to) {
        entries[count].key = amqp_cstring_bytes("x-dead-letter-exchange");
        entries[count].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[count].value.value.bytes = amqp_cstring_bytes("");  // the default exchange routes by queue name
        ++count;
        entries[count].key = amqp_cstring_bytes("x-dead-letter-routing-key");
        entries[count].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[count].value.value.bytes = to_bytes(*dead_letter_to);
        ++count;
    }
    const amqp_table_t arguments = count == 0 ? amqp_empty_table : amqp_table_t{count, entries.data()};
    amqp_queue_declare(state_.get(), kChannel, to_bytes(name), 0, 1, 0, 0, arguments);
    check_rpc(
        amqp_get_rpc_reply(state_.get()),
        "declare queue '" + name + "' (an existing queue with other arguments or another type must be deleted first)"
    );
}

std::uint32_t AmqpConnection::ready_messages(const std::string& queue) {
    ensure_healthy();
    const amqp_queue_declare_ok_t* ok =
        amqp_queue_declare(state_.get(), kChannel, to_bytes(queue), 1, 0, 0, 0, amqp_empty_table);
    check_rpc(amqp_get_rpc_reply(state_.get()), "inspect queue '" + queue + "'");
    return ok->message_count;
}

void AmqpConnection::delete_queue(const std::string& queue) {
    ensure_healthy();
    amqp_queue_delete(state_.get(), kChannel, to_bytes(queue), 0, 0);
    check_rpc(amqp_get_rpc_reply(state_.get()), "delete queue '" + queue + "'");
}

void AmqpConnection::confirm_select() {
    ensure_healthy();
    amqp_confirm_select(state_.get(), kChannel);
    check_rpc(amqp_get_rpc_reply(state_.get()), "turn on publisher confirms");
}

void AmqpConnection::publish(
    std::string_view routing_key, const AmqpMessageProperties& properties, std::string_view body
) {
    ensure_healthy();
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = properties.persistent ? AMQP_DELIVERY_PERSISTENT : AMQP_DELIVERY_NONPERSISTENT;
    if (!properties.content_type.empty()) {
        props._flags |= AMQP_BASIC_CONTENT_TYPE_FLAG;
        props.content_type = to_bytes(properties.content_type);
    }
    if (!properties.message_id.empty()) {
        props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        props.message_id = to_bytes(properties.message_id);
    }
    amqp_table_entry_t trace_entry{};
    if (!properties.traceparent.empty()) {
        trace_entry = traceparent_entry(properties.traceparent);
        props._flags |= AMQP_BASIC_HEADERS_FLAG;
        props.headers = amqp_table_t{1, &trace_entry};
    }
    check_status(
        amqp_basic_publish(
            state_.get(), kChannel, amqp_empty_bytes, to_bytes(routing_key), 0, 0, &props, to_bytes(body)
        ),
        "publish"
    );
}

void AmqpConnection::qos(std::uint16_t prefetch) {
    ensure_healthy();
    amqp_basic_qos(state_.get(), kChannel, 0, prefetch, 0);
    check_rpc(amqp_get_rpc_reply(state_.get()), "set the consumer prefetch");
}

void AmqpConnection::consume(const std::string& queue) {
    ensure_healthy();
    amqp_basic_consume(state_.get(), kChannel, to_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    check_rpc(amqp_get_rpc_reply(state_.get()), "consume from queue '" + queue + "'");
}

std::optional<AmqpDelivery> AmqpConnection::next_delivery(std::chrono::milliseconds timeout) {
    ensure_healthy();
    amqp_maybe_release_buffers(state_.get());
    const timeval tv = to_timeval(timeout);
    amqp_envelope_t envelope{};
    const amqp_rpc_reply_t reply = amqp_consume_message(state_.get(), &envelope, &tv, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
        AmqpDelivery delivery;
        delivery.delivery_tag = envelope.delivery_tag;
        delivery.redelivered = envelope.redelivered != 0;
        if ((envelope.message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0) {
            delivery.message_id = to_string(envelope.message.properties.message_id);
        }
        delivery.body = to_string(envelope.message.body);
        if ((envelope.message.properties._flags & AMQP_BASIC_HEADERS_FLAG) != 0) {
            delivery.traceparent = traceparent_from_headers(envelope.message.properties.headers);
        }
        amqp_destroy_envelope(&envelope);
        return delivery;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT) {
        return std::nullopt;
    }
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        // Another frame came first; rabbitmq-c kept it for us. Closes throw from next_frame().
        const auto frame = next_frame(std::chrono::milliseconds(0));
        if (frame && frame->frame_type == AMQP_FRAME_METHOD && frame->payload.method.id == AMQP_BASIC_CANCEL_METHOD) {
            fail("rabbitmq at " + peer_ + " cancelled the consumer (was the queue deleted?)");
        }
        return std::nullopt;
    }
    fail("lost the rabbitmq connection to " + peer_ + " while consuming: " + describe_rpc_reply(reply));
}

void AmqpConnection::ack(std::uint64_t delivery_tag, bool multiple) {
    ensure_healthy();
    check_status(amqp_basic_ack(state_.get(), kChannel, delivery_tag, multiple ? 1 : 0), "ack a delivery");
}

void AmqpConnection::reject(std::uint64_t delivery_tag, bool requeue) {
    ensure_healthy();
    check_status(amqp_basic_reject(state_.get(), kChannel, delivery_tag, requeue ? 1 : 0), "reject a delivery");
}

void AmqpConnection::nack(std::uint64_t delivery_tag, bool multiple, bool requeue) {
    ensure_healthy();
    check_status(
        amqp_basic_nack(state_.get(), kChannel, delivery_tag, multiple ? 1 : 0, requeue ? 1 : 0), "nack a delivery"
    );
}

std::optional<amqp_frame_t> AmqpConnection::next_frame(std::chrono::milliseconds timeout) {
    ensure_healthy();
    const timeval tv = to_timeval(timeout);
    amqp_frame_t frame{};
    const int status = amqp_simple_wait_frame_noblock(state_.get(), &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) {
        return std::nullopt;
    }
    if (status != AMQP_STATUS_OK) {
        fail("lost the rabbitmq connection to " + peer_ + ": " + amqp_error_string2(status));
    }
    if (frame.frame_type == AMQP_FRAME_METHOD) {
        if (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
            fail(describe_close<amqp_connection_close_t>(
                "the broker closed the connection", frame.payload.method.decoded
            ));
        }
        if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
            fail(describe_close<amqp_channel_close_t>("the broker closed the channel", frame.payload.method.decoded));
        }
    }
    return frame;
}

void AmqpConnection::release_buffers() {
    amqp_maybe_release_buffers(state_.get());
}

}  // namespace gomall::adapters::rabbitmq
