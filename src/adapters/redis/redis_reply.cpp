// Conversion of hiredis replies and the small accessors the adapters need.
#include "adapters/redis/redis_reply.hpp"

#include <charconv>
#include <hiredis/hiredis.h>
#include <stdexcept>

namespace gomall::adapters::redis {

std::int64_t RedisReply::as_integer(std::int64_t fallback) const {
    switch (type) {
        case Type::kInteger:
            return integer;
        case Type::kNil:
            return fallback;
        case Type::kString: {
            std::int64_t value = 0;
            const auto* end = text.data() + text.size();
            const auto [ptr, ec] = std::from_chars(text.data(), end, value);
            if (ec == std::errc() && ptr == end) {
                return value;
            }
            break;
        }
        default:
            break;
    }
    throw std::runtime_error("redis: expected a number, got " + describe());
}

std::string RedisReply::describe() const {
    switch (type) {
        case Type::kNil:
            return "nil";
        case Type::kString:
            return "string '" + text.substr(0, 64) + "'";
        case Type::kStatus:
            return "status " + text;
        case Type::kError:
            return "error: " + text;
        case Type::kInteger:
            return "integer " + std::to_string(integer);
        case Type::kArray:
            return "array of " + std::to_string(elements.size());
    }
    return "unknown reply";
}

RedisReply reply_from_hiredis(const void* hiredis_reply) {
    const auto* r = static_cast<const redisReply*>(hiredis_reply);
    RedisReply out;
    if (r == nullptr) {
        return out;
    }
    switch (r->type) {
        case REDIS_REPLY_STRING:
            out.type = RedisReply::Type::kString;
            out.text.assign(r->str, r->len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = RedisReply::Type::kStatus;
            out.text.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = RedisReply::Type::kError;
            out.text.assign(r->str, r->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = RedisReply::Type::kInteger;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = RedisReply::Type::kArray;
            out.elements.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i) {
                out.elements.push_back(reply_from_hiredis(r->element[i]));
            }
            break;
        default:
            break;  // REDIS_REPLY_NIL
    }
    return out;
}

}  // namespace gomall::adapters::redis
