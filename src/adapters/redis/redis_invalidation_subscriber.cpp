// Implementation of the invalidation subscriber: hiredis's blocking API, read through poll() so the
// thread notices stop() within a quarter second without a read timeout killing the connection.
#include "adapters/redis/redis_invalidation_subscriber.hpp"

#include <algorithm>
#include <hiredis/hiredis.h>
#include <poll.h>

#include <spdlog/spdlog.h>

#include "adapters/redis/hiredis_calls.hpp"
#include "adapters/redis/redis_reply.hpp"

namespace gomall::adapters::redis {
namespace {

constexpr int kPollMs = 250;

/// One command on a fresh blocking context; false on an error reply or a broken connection.
bool run_command(redisContext* context, const std::vector<std::string>& args) {
    void* raw = command_argv(context, args);
    if (raw == nullptr) {
        return false;
    }
    const RedisReply reply = reply_from_hiredis(raw);
    freeReplyObject(raw);
    return !reply.is_error();
}

}  // namespace

void RedisInvalidationSubscriber::start(
    std::function<void(std::string_view)> on_message, std::function<void()> on_resubscribed
) {
    on_message_ = std::move(on_message);
    on_resubscribed_ = std::move(on_resubscribed);
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void RedisInvalidationSubscriber::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void RedisInvalidationSubscriber::run() {
    std::chrono::milliseconds backoff = settings_.reconnect_min;
    bool ever_subscribed = false;
    while (!stopping_) {
        redisContext* context = subscribe();
        if (context == nullptr) {
            pause(backoff);
            backoff = std::min(backoff * 2, settings_.reconnect_max);
            continue;
        }
        backoff = settings_.reconnect_min;
        subscribed_ = true;
        if (ever_subscribed) {
            spdlog::info("{}: channel {} back; catching up on what was missed", what_, channel_);
        }
        // Even the first subscription: changes made before it (while this instance started) were
        // not heard, and anything cached meanwhile may predate them.
        on_resubscribed_();
        ever_subscribed = true;
        listen(context);
        subscribed_ = false;
        redisFree(context);
        if (!stopping_) {
            spdlog::warn("{}: channel {} lost; reconnecting", what_, channel_);
        }
    }
}

redisContext* RedisInvalidationSubscriber::subscribe() {
    // On a cluster any node will do (a PUBLISH reaches every node's subscribers): each attempt
    // takes the next seed, so a node that is down costs one attempt.
    NodeAddress node{settings_.host, settings_.port};
    if (!settings_.cluster_nodes.empty()) {
        node = settings_.cluster_nodes[attempts_++ % settings_.cluster_nodes.size()];
    }
    redisContext* context =
        redisConnectWithTimeout(node.host.c_str(), node.port, to_timeval(settings_.command_timeout));
    if (context == nullptr) {
        return nullptr;
    }
    if (context->err != 0) {
        redisFree(context);
        return nullptr;
    }
    redisSetTimeout(context, to_timeval(settings_.command_timeout));
    redisEnableKeepAlive(context);
    const bool ready = (settings_.password.empty() || run_command(context, {"AUTH", settings_.password})) &&
                       run_command(context, {"SUBSCRIBE", channel_});
    if (!ready) {
        redisFree(context);
        return nullptr;
    }
    return context;
}

void RedisInvalidationSubscriber::listen(redisContext* context) {
    while (!stopping_) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(context, &raw) != REDIS_OK) {
            return;
        }
        if (raw == nullptr) {
            pollfd watch{context->fd, POLLIN, 0};
            const int ready = ::poll(&watch, 1, kPollMs);
            if (ready < 0 && errno != EINTR) {
                return;
            }
            if (ready > 0 && redisBufferRead(context) != REDIS_OK) {
                return;  // closed or broken
            }
            continue;
        }
        const RedisReply reply = reply_from_hiredis(raw);
        freeReplyObject(raw);
        // A notice is ["message", channel, text]; confirmations and anything else are skipped.
        if (reply.type == RedisReply::Type::kArray && reply.elements.size() == 3 &&
            reply.elements[0].text == "message") {
            on_message_(reply.elements[2].text);
        }
    }
}

void RedisInvalidationSubscriber::pause(std::chrono::milliseconds how_long) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, how_long, [this] { return stopping_.load(); });
}

}  // namespace gomall::adapters::redis
