// A Lua script run with EVALSHA, carrying its SHA-1 so a server that lost its script cache
// (restart, SCRIPT FLUSH, a new cluster node) can be answered with EVAL of the body instead.
#pragma once

#include <string>

namespace gomall::adapters::redis {

struct RedisScript {
    std::string body;
    std::string sha1;  // lower-case hex, as SCRIPT LOAD returns it

    explicit RedisScript(std::string lua);
};

}  // namespace gomall::adapters::redis
