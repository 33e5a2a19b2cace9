// The two pieces of hiredis's blocking API that every blocking Redis connection here needs: its
// timeout type, and one command sent from an argument list (binary-safe).
#pragma once

#include <chrono>
#include <string>
#include <sys/time.h>
#include <vector>

struct redisContext;

namespace gomall::adapters::redis {

inline timeval to_timeval(std::chrono::milliseconds ms) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
    return tv;
}

/// hiredis's raw reply (free it with freeReplyObject), or null when the connection broke.
void* command_argv(redisContext* context, const std::vector<std::string>& args);

}  // namespace gomall::adapters::redis
