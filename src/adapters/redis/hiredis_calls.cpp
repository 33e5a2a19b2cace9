// One command through hiredis's blocking API.
#include "adapters/redis/hiredis_calls.hpp"

#include <hiredis/hiredis.h>

namespace gomall::adapters::redis {

void* command_argv(redisContext* context, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    return redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data());
}

}  // namespace gomall::adapters::redis
