// One hiredis async connection driven by Asio, with reconnection and a reply-timeout watchdog:
// the building block of RedisClient (one server, or one cluster node). Internal to the Redis
// adapter: it includes hiredis, which nothing outside src/adapters/redis may see.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "adapters/redis/cluster_routing.hpp"
#include "adapters/redis/redis_client.hpp"

namespace gomall::adapters::redis {
namespace asio = boost::asio;

inline std::exception_ptr unavailable(const std::string& why) {
    return std::make_exception_ptr(RedisUnavailable("redis unavailable: " + why));
}

/// The Asio side of one hiredis context: waits for readiness of its socket and calls hiredis back.
/// Handlers hold it by shared_ptr; `context` is cleared when hiredis frees the context (cleanup
/// hook), after which late handlers do nothing.
struct SocketWatch : std::enable_shared_from_this<SocketWatch> {
    SocketWatch(asio::io_context& io, redisAsyncContext* ctx) : socket(io, ctx->c.fd), context(ctx) {}

    asio::posix::stream_descriptor socket;
    redisAsyncContext* context;
    bool want_read = false, want_write = false;
    bool read_armed = false, write_armed = false;
    std::shared_ptr<SocketWatch> self_while_attached;  // hiredis holds a raw pointer: keep us alive

    void arm_read() {
        if (read_armed || !want_read || context == nullptr) {
            return;
        }
        read_armed = true;
        socket.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](auto ec) {
            self->read_armed = false;
            if (ec || self->context == nullptr || !self->want_read) {
                return;
            }
            redisAsyncHandleRead(self->context);  // may free the context (then cleanup ran)
            self->arm_read();
        });
    }

    void arm_write() {
        if (write_armed || !want_write || context == nullptr) {
            return;
        }
        write_armed = true;
        socket.async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](auto ec) {
            self->write_armed = false;
            if (ec || self->context == nullptr || !self->want_write) {
                return;
            }
            redisAsyncHandleWrite(self->context);
            self->arm_write();
        });
    }

    static SocketWatch& of(void* data) { return *static_cast<SocketWatch*>(data); }
    static void add_read(void* data) {
        auto& w = of(data);
        w.want_read = true;
        w.arm_read();
    }
    static void del_read(void* data) { of(data).want_read = false; }
    static void add_write(void* data) {
        auto& w = of(data);
        w.want_write = true;
        w.arm_write();
    }
    static void del_write(void* data) { of(data).want_write = false; }
    static void cleanup(void* data) {
        auto& w = of(data);
        w.want_read = w.want_write = false;
        w.context = nullptr;
        boost::system::error_code ignored;
        w.socket.cancel(ignored);
        w.socket.release();                            // hiredis closes its own descriptor
        auto keep = std::move(w.self_while_attached);  // freed once pending handlers have run
    }
};

/// One hiredis connection with reconnection and a reply-timeout watchdog. Redis thread only,
/// except connected(), which any thread may read.
class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    RedisConnection(asio::io_context& io, const RedisSettings& settings, NodeAddress address, int index)
        : io_(io), settings_(settings), address_(std::move(address)), index_(index), retry_timer_(io), watchdog_(io) {}

    const NodeAddress& address() const { return address_; }
    /// Called on the Redis thread whenever the link is lost or an attempt fails (cluster mode
    /// refreshes its slot map then). Set before start().
    void on_lost(std::function<void()> listener) { on_lost_ = std::move(listener); }

    void start() {
        asio::post(io_, [self = shared_from_this()] {
            self->connect();
            self->watch();
        });
    }

    void stop() {
        asio::post(io_, [self = shared_from_this()] {
            self->stopping_ = true;
            self->retry_timer_.cancel();
            self->watchdog_.cancel();
            if (self->context_ != nullptr) {
                redisAsyncFree(self->context_);  // fails pending commands, runs the hooks
                self->context_ = nullptr;
            }
            self->connected_ = false;
        });
    }

    bool connected() const { return connected_.load(std::memory_order_relaxed); }

    /// Any thread: hops onto the Redis thread and sends the command there.
    void submit(std::vector<std::string> args, std::unique_ptr<ReplySink> sink) {
        asio::post(io_, [self = shared_from_this(), args = std::move(args), sink = std::move(sink)]() mutable {
            self->send(args, std::move(sink));
        });
    }

    /// Any thread: ASKING, then the command, back to back on this link (an ASK redirection).
    void submit_asking(std::vector<std::string> args, std::unique_ptr<ReplySink> sink) {
        asio::post(io_, [self = shared_from_this(), args = std::move(args), sink = std::move(sink)]() mutable {
            class Ignore final : public ReplySink {
            public:
                void complete(std::exception_ptr, RedisReply) override {}
            };
            self->send({"ASKING"}, std::make_unique<Ignore>());
            self->send(args, std::move(sink));
        });
    }

private:
    struct Pending {
        ReplySink* sink;
        std::chrono::steady_clock::time_point sent;
    };

    /// `setup`: AUTH/SELECT, queued by hiredis before the TCP connect completes.
    void send(const std::vector<std::string>& args, std::unique_ptr<ReplySink> sink, bool setup = false) {
        if (context_ == nullptr || (!connected_ && !setup)) {
            sink->complete(unavailable(last_error_.empty() ? "not connected" : last_error_), {});
            return;
        }
        std::vector<const char*> argv;
        std::vector<std::size_t> lengths;
        argv.reserve(args.size());
        lengths.reserve(args.size());
        for (const auto& a : args) {
            argv.push_back(a.data());
            lengths.push_back(a.size());
        }
        // Replies arrive in send order, so the oldest unanswered command is always at the front.
        pending_.push_back({sink.get(), std::chrono::steady_clock::now()});
        const int rc = redisAsyncCommandArgv(
            context_, &RedisConnection::on_reply, this, static_cast<int>(argv.size()), argv.data(), lengths.data()
        );
        if (rc != REDIS_OK) {
            pending_.pop_back();
            sink->complete(unavailable("the command could not be queued"), {});
            return;
        }
        static_cast<void>(sink.release());  // owned by pending_ until on_reply
    }

    static void on_reply(redisAsyncContext*, void* reply, void* privdata) {
        auto* self = static_cast<RedisConnection*>(privdata);
        if (self->pending_.empty()) {
            return;  // cannot happen: every command registers before it is sent
        }
        std::unique_ptr<ReplySink> sink(self->pending_.front().sink);
        self->pending_.pop_front();
        if (reply == nullptr) {
            // hiredis answers every outstanding command with null when the connection goes away.
            sink->complete(unavailable("the connection was lost before the reply"), {});
        } else {
            sink->complete(nullptr, reply_from_hiredis(reply));
        }
    }

    void connect() {
        if (stopping_) {
            return;
        }
        redisAsyncContext* ctx = redisAsyncConnect(address_.host.c_str(), address_.port);
        if (ctx == nullptr) {
            fail_attempt("out of memory");
            return;
        }
        if (ctx->err != 0) {
            const std::string why = ctx->errstr;
            redisAsyncFree(ctx);
            fail_attempt(why);
            return;
        }
        auto watch = std::make_shared<SocketWatch>(io_, ctx);
        watch->self_while_attached = watch;
        ctx->ev.data = watch.get();
        ctx->ev.addRead = &SocketWatch::add_read;
        ctx->ev.delRead = &SocketWatch::del_read;
        ctx->ev.addWrite = &SocketWatch::add_write;
        ctx->ev.delWrite = &SocketWatch::del_write;
        ctx->ev.cleanup = &SocketWatch::cleanup;
        ctx->data = this;
        redisAsyncSetConnectCallback(ctx, &RedisConnection::on_connect);
        redisAsyncSetDisconnectCallback(ctx, &RedisConnection::on_disconnect);
        context_ = ctx;
        connect_started_ = std::chrono::steady_clock::now();
        // Pipelined ahead of everything else: a failure shows as an error reply and drops the link.
        if (!settings_.password.empty()) {
            internal_command({"AUTH", settings_.password});
        }
        if (settings_.db != 0) {
            internal_command({"SELECT", std::to_string(settings_.db)});
        }
    }

    /// A setup command whose error reply means the connection is unusable.
    void internal_command(const std::vector<std::string>& args) {
        class SetupSink final : public ReplySink {
        public:
            SetupSink(std::weak_ptr<RedisConnection> owner, std::string what)
                : owner_(std::move(owner)), what_(std::move(what)) {}
            void complete(std::exception_ptr error, RedisReply reply) override {
                if (error || !reply.is_error()) {
                    return;
                }
                if (auto owner = owner_.lock(); owner && owner->context_ != nullptr) {
                    spdlog::error("redis: {} refused: {}", what_, reply.text);
                    owner->last_error_ = what_ + " refused";
                    owner->connected_ = false;
                    redisAsyncDisconnect(owner->context_);
                }
            }

        private:
            std::weak_ptr<RedisConnection> owner_;
            std::string what_;
        };
        send(args, std::make_unique<SetupSink>(weak_from_this(), args.front()), true);
    }

    static void on_connect(const redisAsyncContext* ctx, int status) {
        auto* self = static_cast<RedisConnection*>(ctx->data);
        if (status != REDIS_OK) {
            // hiredis frees the context right after this callback.
            self->context_ = nullptr;
            self->fail_attempt(ctx->errstr);
            return;
        }
        if (self->failures_ > 0) {
            spdlog::info("redis: connection {} to {} is back", self->index_, self->address_.text());
        }
        self->failures_ = 0;
        self->last_error_.clear();
        self->connected_ = true;
    }

    static void on_disconnect(const redisAsyncContext* ctx, int status) {
        auto* self = static_cast<RedisConnection*>(ctx->data);
        self->context_ = nullptr;
        self->connected_ = false;
        if (self->stopping_) {
            return;
        }
        const std::string why = status == REDIS_OK ? "closed" : std::string(ctx->errstr);
        spdlog::warn("redis: connection {} to {} lost ({}); reconnecting", self->index_, self->address_.text(), why);
        self->fail_attempt(why, false);
    }

    /// Schedules the next connect with backoff. `report`: log the first failure of an outage.
    void fail_attempt(const std::string& why, bool report = true) {
        connected_ = false;
        last_error_ = why;
        if (stopping_) {
            return;
        }
        if (failures_ == 0 && report) {
            spdlog::warn("redis: cannot connect to {} ({}); retrying with backoff", address_.text(), why);
        }
        ++failures_;
        if (on_lost_) {
            on_lost_();
        }
        auto delay = settings_.reconnect_min * (1LL << std::min(failures_ - 1, 10));
        delay = std::min<std::chrono::milliseconds>(delay, settings_.reconnect_max);
        retry_timer_.expires_after(delay);
        retry_timer_.async_wait([self = shared_from_this()](auto ec) {
            if (!ec) {
                self->connect();
            }
        });
    }

    /// Drops a connection whose oldest command has waited longer than the timeout, or whose connect
    /// has not completed in that time: hiredis has no timeouts in its async API, and a stuck server
    /// must give shoppers errors, not hangs.
    void watch() {
        const auto period =
            std::max<std::chrono::milliseconds>(settings_.command_timeout / 4, std::chrono::milliseconds(10));
        watchdog_.expires_after(period);
        watchdog_.async_wait([self = shared_from_this()](auto ec) {
            if (ec || self->stopping_) {
                return;
            }
            self->check_deadlines();
            self->watch();
        });
    }

    void check_deadlines() {
        if (context_ == nullptr) {
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        const bool reply_late = !pending_.empty() && now - pending_.front().sent > settings_.command_timeout;
        const bool connect_late = !connected_ && now - connect_started_ > settings_.command_timeout;
        if (!reply_late && !connect_late) {
            return;
        }
        spdlog::warn(
            "redis: connection {}: {} within {} ms; reconnecting",
            index_,
            reply_late ? "no reply" : "no connect",
            settings_.command_timeout.count()
        );
        redisAsyncContext* ctx = context_;
        context_ = nullptr;
        connected_ = false;
        const int failures_before = failures_;
        redisAsyncFree(ctx);  // answers pending commands with null; on_disconnect may schedule a retry
        if (failures_ == failures_before) {
            fail_attempt(reply_late ? "reply timeout" : "connect timeout", false);
        }
    }

    asio::io_context& io_;
    const RedisSettings& settings_;
    const NodeAddress address_;
    const int index_;
    std::function<void()> on_lost_;
    asio::steady_timer retry_timer_;
    asio::steady_timer watchdog_;
    redisAsyncContext* context_ = nullptr;
    std::deque<Pending> pending_;
    std::chrono::steady_clock::time_point connect_started_;
    std::atomic<bool> connected_{false};
    bool stopping_ = false;
    int failures_ = 0;
    std::string last_error_;
};

}  // namespace gomall::adapters::redis
