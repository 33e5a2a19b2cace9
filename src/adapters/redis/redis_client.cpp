// The client: a few pipelined connections to one server, or a cluster router; command spans.
// Everything that touches a hiredis context runs on the client's single Redis thread.
#include "adapters/redis/redis_client.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <spdlog/spdlog.h>

#include "adapters/redis/redis_cluster_router.hpp"
#include "adapters/redis/redis_connection.hpp"

namespace gomall::adapters::redis {

namespace {

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

}  // namespace

RedisClient::RedisClient(RedisSettings settings) : settings_(std::move(settings)) {
    if (!settings_.cluster_nodes.empty()) {
        cluster_ = std::make_shared<RedisClusterRouter>(io_, settings_);
        return;
    }
    const int n = std::max(1, settings_.connections);
    for (int i = 0; i < n; ++i) {
        connections_.push_back(
            std::make_shared<RedisConnection>(io_, settings_, NodeAddress{settings_.host, settings_.port}, i)
        );
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
    if (cluster_) {
        cluster_->start();
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
    if (cluster_) {
        cluster_->stop();
    }
    // Let the stop handlers run (they fail what is in flight), then end the thread.
    asio::post(io_, [this] { io_.stop(); });
    if (thread_.joinable()) {
        thread_.join();
    }
}

bool RedisClient::connected() const {
    if (cluster_) {
        return cluster_->connected();
    }
    return std::any_of(connections_.begin(), connections_.end(), [](const auto& c) { return c->connected(); });
}

void RedisClient::submit(std::vector<std::string> args, std::unique_ptr<ReplySink> sink) {
    if (!running_) {
        sink->complete(unavailable("the client is stopped"), {});
        return;
    }
    if (cluster_) {
        cluster_->submit(std::move(args), std::move(sink));
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
