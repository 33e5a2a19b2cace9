// hiredis's synchronous API with connect and read timeouts.
#include "adapters/redis/redis_blocking_connection.hpp"

#include <hiredis/hiredis.h>

#include "adapters/redis/hiredis_calls.hpp"

namespace gomall::adapters::redis {
namespace {

/// As in the asynchronous client: a slot moves at most twice during one resharding step.
constexpr int kMaxRedirections = 5;

}  // namespace

RedisBlockingConnection::RedisBlockingConnection(RedisSettings settings) : settings_(std::move(settings)) {}

RedisBlockingConnection::~RedisBlockingConnection() {
    std::lock_guard lock(mutex_);
    for (auto& [address, context] : contexts_) {
        redisFree(context);
    }
}

void RedisBlockingConnection::drop_locked(const NodeAddress& address) {
    if (const auto it = contexts_.find(address.text()); it != contexts_.end()) {
        redisFree(it->second);
        contexts_.erase(it);
    }
}

redisContext* RedisBlockingConnection::context_for_locked(const NodeAddress& address) {
    if (const auto it = contexts_.find(address.text()); it != contexts_.end()) {
        return it->second;
    }
    const timeval timeout = to_timeval(settings_.command_timeout);
    redisContext* ctx = redisConnectWithTimeout(address.host.c_str(), address.port, timeout);
    if (ctx == nullptr) {
        throw RedisUnavailable("redis unavailable: out of memory");
    }
    if (ctx->err != 0) {
        const std::string why = ctx->errstr;
        redisFree(ctx);
        throw RedisUnavailable("redis unavailable at " + address.text() + ": " + why);
    }
    redisSetTimeout(ctx, timeout);
    contexts_[address.text()] = ctx;
    if (!settings_.password.empty()) {
        const RedisReply r = command_locked(address, {"AUTH", settings_.password});
        if (r.is_error()) {
            drop_locked(address);
            throw RedisUnavailable("redis refused AUTH: " + r.text);
        }
    }
    if (settings_.db != 0 && settings_.cluster_nodes.empty()) {
        const RedisReply r = command_locked(address, {"SELECT", std::to_string(settings_.db)});
        if (r.is_error()) {
            drop_locked(address);
            throw RedisUnavailable("redis refused SELECT: " + r.text);
        }
    }
    return ctx;
}

RedisReply RedisBlockingConnection::command_locked(const NodeAddress& address, const std::vector<std::string>& args) {
    redisContext* context = context_for_locked(address);
    void* raw = command_argv(context, args);
    if (raw == nullptr) {
        const std::string why = context->errstr;
        drop_locked(address);  // the context is unusable after an I/O error
        throw RedisUnavailable("redis unavailable: " + why);
    }
    RedisReply reply = reply_from_hiredis(raw);
    freeReplyObject(raw);
    return reply;
}

RedisReply RedisBlockingConnection::cluster_command_locked(const std::vector<std::string>& args) {
    const auto key = routing_key(args);
    const std::optional<int> slot = key ? std::optional<int>(key_slot(*key)) : std::nullopt;
    NodeAddress target;
    if (const auto owner = slot ? slot_owners_.find(*slot) : slot_owners_.end(); owner != slot_owners_.end()) {
        target = owner->second;
    } else {
        // A node we are connected to, else the first seed that answers a connect.
        std::string last_error = "no cluster node configured";
        bool found = false;
        for (const NodeAddress& seed : settings_.cluster_nodes) {
            try {
                context_for_locked(seed);
                target = seed;
                found = true;
                break;
            } catch (const RedisUnavailable& e) {
                last_error = e.what();
            }
        }
        if (!found) {
            throw RedisUnavailable(last_error);
        }
    }
    bool asking = false;
    for (int attempt = 0;; ++attempt) {
        if (asking) {
            command_locked(target, {"ASKING"});
        }
        RedisReply reply = command_locked(target, args);
        const auto redirection = parse_redirection(reply);
        if (!redirection || attempt >= kMaxRedirections) {
            return reply;
        }
        asking = redirection->kind == Redirection::Kind::kAsk;
        if (!asking) {
            slot_owners_[redirection->slot] = redirection->target;
        }
        target = redirection->target;
    }
}

RedisReply RedisBlockingConnection::command(const std::vector<std::string>& args) {
    std::lock_guard lock(mutex_);
    if (!settings_.cluster_nodes.empty()) {
        return cluster_command_locked(args);
    }
    return command_locked(NodeAddress{settings_.host, settings_.port}, args);
}

RedisReply RedisBlockingConnection::eval(
    const RedisScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args
) {
    std::vector<std::string> argv{"EVALSHA", script.sha1, std::to_string(keys.size())};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    RedisReply reply = command(argv);
    if (reply.is_error() && reply.text.rfind("NOSCRIPT", 0) == 0) {
        argv[0] = "EVAL";
        argv[1] = script.body;
        reply = command(argv);
    }
    return reply;
}

}  // namespace gomall::adapters::redis
