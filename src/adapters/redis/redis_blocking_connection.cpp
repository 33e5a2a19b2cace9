// hiredis's synchronous API with connect and read timeouts.
#include "adapters/redis/redis_blocking_connection.hpp"

#include <hiredis/hiredis.h>

#include "adapters/redis/hiredis_calls.hpp"

namespace gomall::adapters::redis {

RedisBlockingConnection::RedisBlockingConnection(RedisSettings settings) : settings_(std::move(settings)) {}

RedisBlockingConnection::~RedisBlockingConnection() {
    std::lock_guard lock(mutex_);
    drop_locked();
}

void RedisBlockingConnection::drop_locked() {
    if (context_ != nullptr) {
        redisFree(context_);
        context_ = nullptr;
    }
}

void RedisBlockingConnection::connect_locked() {
    const timeval timeout = to_timeval(settings_.command_timeout);
    redisContext* ctx = redisConnectWithTimeout(settings_.host.c_str(), settings_.port, timeout);
    if (ctx == nullptr) {
        throw RedisUnavailable("redis unavailable: out of memory");
    }
    if (ctx->err != 0) {
        const std::string why = ctx->errstr;
        redisFree(ctx);
        throw RedisUnavailable(
            "redis unavailable at " + settings_.host + ":" + std::to_string(settings_.port) + ": " + why
        );
    }
    redisSetTimeout(ctx, timeout);
    context_ = ctx;
    if (!settings_.password.empty()) {
        const RedisReply r = command_locked({"AUTH", settings_.password});
        if (r.is_error()) {
            drop_locked();
            throw RedisUnavailable("redis refused AUTH: " + r.text);
        }
    }
    if (settings_.db != 0) {
        const RedisReply r = command_locked({"SELECT", std::to_string(settings_.db)});
        if (r.is_error()) {
            drop_locked();
            throw RedisUnavailable("redis refused SELECT: " + r.text);
        }
    }
}

RedisReply RedisBlockingConnection::command_locked(const std::vector<std::string>& args) {
    void* raw = command_argv(context_, args);
    if (raw == nullptr) {
        const std::string why = context_->errstr;
        drop_locked();  // the context is unusable after an I/O error
        throw RedisUnavailable("redis unavailable: " + why);
    }
    RedisReply reply = reply_from_hiredis(raw);
    freeReplyObject(raw);
    return reply;
}

RedisReply RedisBlockingConnection::command(const std::vector<std::string>& args) {
    std::lock_guard lock(mutex_);
    if (context_ == nullptr) {
        connect_locked();
    }
    return command_locked(args);
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
