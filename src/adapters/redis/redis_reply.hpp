// A Redis reply as a plain value, copied out of hiredis's reply tree so it can travel between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gomall::adapters::redis {

struct RedisReply {
    enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };

    Type type = Type::kNil;
    std::string text;  // kString, kStatus, kError
    std::int64_t integer = 0;
    std::vector<RedisReply> elements;  // kArray

    bool is_error() const { return type == Type::kError; }
    bool is_nil() const { return type == Type::kNil; }
    /// The integer value of an integer reply, or of a string reply holding a number (as GET returns);
    /// `fallback` for nil. Throws std::runtime_error for anything else, naming what arrived.
    std::int64_t as_integer(std::int64_t fallback = 0) const;
    /// What the reply is, for error messages: "error: NOSCRIPT ...", "integer 3", "array of 2"...
    std::string describe() const;
};

/// Converts hiredis's reply (a `const redisReply*`, taken as void* to keep hiredis out of this header).
RedisReply reply_from_hiredis(const void* hiredis_reply);

}  // namespace gomall::adapters::redis
