// hiredis async contexts driven by Asio. hiredis 0.14 ships no Asio adapter, so the event hooks
// (addRead/delRead/addWrite/delWrite/cleanup) are mapped onto stream_descriptor::async_wait here.
// Everything that touches a hiredis context runs on the client's single Redis thread.
#include "adapters/redis/redis_client.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

namespace gomall::adapters::redis {
namespace asio = boost::asio;

namespace {

std::exception_ptr unavailable(const std::string& why) {
    return std::make_exception_ptr(RedisUnavailable("redis unavailable: " + why));
}

/// A command's name for its span: upper case, letters only, bounded (it is the caller's first
/// argument, never a key or a value).
std::string command_name(std::string_view command) {
    constexpr std::size_t kMaxName = 32;
    std::string name;
    for (const char c : command.substr(0, std::min(command.size(), kMaxName))) {
        if (std::isalpha(static_cast<unsigned char>(c)) == 0) {
            break;
        }
        name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name.empty() ? "REDIS" : name;
}

/// The kind of an error reply ("ERR", "WRONGTYPE", "NOSCRIPT"): its first word only, since the
/// rest may quote what the command carried.
std::string error_kind(const RedisReply& reply) {
    const auto end = reply.text.find(' ');
    return "redis error reply " + command_name(reply.text.substr(0, end));
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

}  // namespace

/// One hiredis connection with reconnection and a reply-timeout watchdog. Redis thread only,
/// except connected(), which any thread may read.
class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
public:
    RedisConnection(asio::io_context& io, const RedisSettings& settings, int index)
        : io_(io), settings_(settings), index_(index), retry_timer_(io), watchdog_(io) {}

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
        redisAsyncContext* ctx = redisAsyncConnect(settings_.host.c_str(), settings_.port);
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
            spdlog::info(
                "redis: connection {} to {}:{} is back", self->index_, self->settings_.host, self->settings_.port
            );
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
        spdlog::warn("redis: connection {} lost ({}); reconnecting", self->index_, why);
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
            spdlog::warn(
                "redis: cannot connect to {}:{} ({}); retrying with backoff", settings_.host, settings_.port, why
            );
        }
        ++failures_;
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
    const int index_;
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

RedisClient::RedisClient(RedisSettings settings) : settings_(std::move(settings)) {
    const int n = std::max(1, settings_.connections);
    for (int i = 0; i < n; ++i) {
        connections_.push_back(std::make_shared<RedisConnection>(io_, settings_, i));
    }
}

RedisClient::~RedisClient() {
    try {
        stop();
    } catch (const std::exception& e) {
        spdlog::error("stopping the Redis client: {}", e.what());
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done in a destructor
    }
}

void RedisClient::start() {
    if (running_.exchange(true)) {
        return;
    }
    for (auto& c : connections_) {
        c->start();
    }
    thread_ = std::thread([this] {
        auto guard = asio::make_work_guard(io_);
        io_.run();
    });
}

void RedisClient::stop() {
    if (!running_.exchange(false)) {
        return;
    }
    for (auto& c : connections_) {
        c->stop();
    }
    // Let the stop handlers run (they fail what is in flight), then end the thread.
    asio::post(io_, [this] { io_.stop(); });
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool RedisClient::connected() const {
    return std::any_of(connections_.begin(), connections_.end(), [](const auto& c) { return c->connected(); });
}

void RedisClient::submit(std::vector<std::string> args, std::unique_ptr<ReplySink> sink) {
    if (!running_) {
        sink->complete(unavailable("the client is stopped"), {});
        return;
    }
    // Prefer a live connection, starting from the next in turn, so one broken link costs nothing.
    const std::size_t n = connections_.size();
    const std::size_t first = next_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < n; ++k) {
        auto& c = connections_[(first + k) % n];
        if (c->connected()) {
            c->submit(std::move(args), std::move(sink));
            return;
        }
    }
    sink->complete(unavailable("no connection to " + settings_.host + ":" + std::to_string(settings_.port)), {});
}

boost::asio::awaitable<RedisReply> RedisClient::eval(
    const RedisScript& script, std::vector<std::string> keys, std::vector<std::string> args
) {
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.emplace_back("EVALSHA");
    argv.push_back(script.sha1);
    argv.push_back(std::to_string(keys.size()));
    for (auto& k : keys) {
        argv.push_back(std::move(k));
    }
    for (auto& a : args) {
        argv.push_back(std::move(a));
    }
    // One span for the script call, whether it took one round trip or two (NOSCRIPT, then EVAL).
    ports::Span span = start_span("EVALSHA");
    if (span.recording()) {
        span.set_attribute("db.redis.script.sha1", script.sha1);
    }
    try {
        RedisReply reply = co_await send(argv);
        if (reply.is_error() && reply.text.rfind("NOSCRIPT", 0) == 0) {
            span.set_attribute("db.redis.script.loaded", true);
            argv[0] = "EVAL";
            argv[1] = script.body;
            reply = co_await send(std::move(argv));
        }
        if (reply.is_error()) {
            span.set_error(error_kind(reply));
        }
        co_return reply;
    } catch (const std::exception& e) {
        span.set_error(e.what());
        throw;
    }
}

boost::asio::awaitable<RedisReply> RedisClient::command(std::vector<std::string> args) {
    ports::Span span = start_span(args.empty() ? std::string_view("REDIS") : std::string_view(args.front()));
    try {
        RedisReply reply = co_await send(std::move(args));
        if (reply.is_error()) {
            span.set_error(error_kind(reply));
        }
        co_return reply;
    } catch (const std::exception& e) {
        span.set_error(e.what());
        throw;
    }
}

ports::Span RedisClient::start_span(std::string_view command) const {
    // Taken first, whatever happens next: a handoff is for this call only.
    TraceContext parent = ActiveTrace::take_handoff();
    if (!parent.valid()) {
        parent = ActiveTrace::current();
    }
    if (tracer_ == nullptr || !parent.valid() || !parent.sampled) {
        return {};
    }
    const std::string name = command_name(command);
    ports::Span span = tracer_->start(name, ports::SpanKind::kClient, parent);
    if (span.recording()) {
        span.set_attribute("db.system", "redis");
        span.set_attribute("db.system.name", "redis");
        span.set_attribute("db.operation.name", name);
        span.set_attribute("db.namespace", std::to_string(settings_.db));
        span.set_attribute("server.address", settings_.host);
        span.set_attribute("server.port", settings_.port);
    }
    return span;
}

}  // namespace gomall::adapters::redis
