// An asynchronous Redis client: hiredis's async API driven by Boost.Asio on one Redis I/O thread,
// with a few connections that many concurrent requests pipeline over. Commands are awaitable from
// any executor; the reply is delivered back on the awaiting coroutine's executor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "adapters/redis/cluster_routing.hpp"
#include "adapters/redis/redis_reply.hpp"
#include "adapters/redis/redis_script.hpp"
#include "core/unavailable.hpp"
#include "ports/tracer.hpp"

namespace gomall::adapters::redis {

struct RedisSettings {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string password;  // AUTH when not empty
    int db = 0;            // SELECT when not 0
    int connections = 2;
    /// A command without a reply after this long means the server is stuck or gone: the connection
    /// is dropped, its commands fail, and a new one is made.
    std::chrono::milliseconds command_timeout{1000};
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{2000};
    /// Not empty: Redis Cluster, found through these seed nodes (host/port/db are then unused);
    /// `connections` links go to each master.
    std::vector<NodeAddress> cluster_nodes;
};

/// Redis could not be reached or did not answer in time. The purchase path turns it into 503
/// "busy"; anywhere else the HTTP layer answers it 503 like any unreachable dependency.
class RedisUnavailable : public DependencyUnavailable {
public:
    using DependencyUnavailable::DependencyUnavailable;
};

class RedisConnection;
class RedisClusterRouter;

/// Receives one command's outcome on the Redis thread and passes it to the awaiting coroutine.
class ReplySink {
public:
    virtual ~ReplySink() = default;
    /// Called exactly once: `error` is null when `reply` holds the answer (which may be an error reply).
    virtual void complete(std::exception_ptr error, RedisReply reply) = 0;
};

/// Thread-safe. start() runs the Redis thread and begins connecting (never blocks on the network);
/// while no connection is up, commands fail at once with RedisUnavailable, and the connections
/// keep retrying with exponential backoff. stop() fails what is in flight and joins the thread.
class RedisClient {
public:
    explicit RedisClient(RedisSettings settings);
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;
    ~RedisClient();

    void start();
    void stop();
    /// At least one connection is up.
    bool connected() const;
    /// A client span per command() and eval() from now on, child of the context handed to the
    /// call (ActiveTrace::Handoff) or of the thread's active span; none outside a sampled trace.
    /// Names the command and the database, never keys or arguments (they hold tokens). Call
    /// before start(); `tracer` must outlive the client.
    void trace_with(ports::Tracer& tracer) { tracer_ = &tracer; }
    const RedisSettings& settings() const { return settings_; }

    /// Runs one command. Error replies are returned, not thrown; RedisUnavailable is thrown when
    /// the command could not be sent or its connection failed before the reply.
    boost::asio::awaitable<RedisReply> command(std::vector<std::string> args);
    /// EVALSHA, falling back to EVAL (which also caches the script) on NOSCRIPT.
    boost::asio::awaitable<RedisReply> eval(
        const RedisScript& script, std::vector<std::string> keys, std::vector<std::string> args
    );

private:
    template <class Handler>
    class HandlerSink;

    void submit(std::vector<std::string> args, std::unique_ptr<ReplySink> sink);
    /// command() without a span.
    boost::asio::awaitable<RedisReply> send(std::vector<std::string> args);
    /// The span of a call being started (takes the handed-off context), or none.
    ports::Span start_span(std::string_view command) const;

    const RedisSettings settings_;
    boost::asio::io_context io_;
    std::vector<std::shared_ptr<RedisConnection>> connections_;  // one server
    std::shared_ptr<RedisClusterRouter> cluster_;                // or a cluster
    std::atomic<std::size_t> next_{0};
    std::thread thread_;
    std::atomic<bool> running_{false};
    ports::Tracer* tracer_ = nullptr;  // set before start()
};

template <class Handler>
class RedisClient::HandlerSink final : public ReplySink {
public:
    explicit HandlerSink(Handler handler) : handler_(std::move(handler)) {}

    void complete(std::exception_ptr error, RedisReply reply) override {
        auto executor = boost::asio::get_associated_executor(handler_);
        boost::asio::post(executor, [handler = std::move(handler_), error, reply = std::move(reply)]() mutable {
            std::move(handler)(error, std::move(reply));
        });
    }

private:
    Handler handler_;
};

inline boost::asio::awaitable<RedisReply> RedisClient::send(std::vector<std::string> args) {
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr, RedisReply)>(
        [this](auto handler, std::vector<std::string>&& argv) {
            using H = std::decay_t<decltype(handler)>;
            submit(std::move(argv), std::make_unique<HandlerSink<H>>(std::move(handler)));
        },
        boost::asio::use_awaitable,
        std::move(args)
    );
}

}  // namespace gomall::adapters::redis
