// Implementation of the read cache's shared level on Redis.
#include "adapters/redis/redis_shared_read_cache.hpp"

#include <charconv>
#include <stdexcept>

namespace gomall::adapters::redis {
namespace {

constexpr std::string_view kVersion = "v1 ";

long long read_number(std::string_view text) {
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
        throw std::runtime_error("read cache: a stored answer has a malformed header");
    }
    return value;
}

}  // namespace

std::string encode_shared_answer(const ports::SharedAnswer& answer) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(answer.loaded_at.time_since_epoch()).count();
    std::string out(kVersion);
    out += answer.found ? "1 " : "0 ";
    out += std::to_string(ms);
    out += '\n';
    out += answer.body;
    return out;
}

ports::SharedAnswer decode_shared_answer(std::string_view stored) {
    const auto newline = stored.find('\n');
    if (stored.substr(0, kVersion.size()) != kVersion || newline == std::string_view::npos) {
        throw std::runtime_error("read cache: a stored answer is not in the expected format");
    }
    const std::string_view header = stored.substr(kVersion.size(), newline - kVersion.size());
    if (header.size() < 3 || (header[0] != '0' && header[0] != '1') || header[1] != ' ') {
        throw std::runtime_error("read cache: a stored answer has a malformed header");
    }
    ports::SharedAnswer answer;
    answer.found = header[0] == '1';
    answer.loaded_at = TimePoint(std::chrono::milliseconds(read_number(header.substr(2))));
    answer.body = std::string(stored.substr(newline + 1));
    return answer;
}

RedisReply RedisSharedReadCache::checked(const std::vector<std::string>& args) {
    RedisReply reply = redis_.command(args);
    if (reply.is_error()) {
        throw std::runtime_error("read cache: redis answered " + args.front() + " with " + reply.describe());
    }
    return reply;
}

std::optional<ports::SharedAnswer> RedisSharedReadCache::get(const std::string& key) {
    const RedisReply reply = checked({"GET", prefix_ + key});
    if (reply.is_nil()) {
        return std::nullopt;
    }
    return decode_shared_answer(reply.text);
}

void RedisSharedReadCache::put(
    const std::string& key, const ports::SharedAnswer& answer, std::chrono::milliseconds ttl
) {
    if (ttl.count() <= 0) {
        return;
    }
    checked({"SET", prefix_ + key, encode_shared_answer(answer), "PX", std::to_string(ttl.count())});
}

void RedisSharedReadCache::remove(const std::string& key) {
    checked({"DEL", prefix_ + key});
}

long long RedisSharedReadCache::generation() {
    return checked({"GET", prefix_ + "generation"}).as_integer(0);
}

long long RedisSharedReadCache::bump_generation() {
    return checked({"INCR", prefix_ + "generation"}).as_integer();
}

void RedisSharedReadCache::publish(std::string_view what) {
    checked({"PUBLISH", prefix_ + "invalidate", std::string(what)});
}

}  // namespace gomall::adapters::redis
