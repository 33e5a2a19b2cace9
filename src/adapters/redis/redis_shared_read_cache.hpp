// The shared level of the catalogue's read cache in Redis: answers under <prefix>:rc:* with an expiry,
// the list generation counter, and invalidation notices published on one channel.
#pragma once

#include <string>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "ports/shared_read_cache.hpp"

namespace gomall::adapters::redis {

/// The channel every instance of one shop (one key prefix) subscribes to.
inline std::string invalidation_channel(const std::string& key_prefix) {
    return key_prefix + ":rc:invalidate";
}

/// Thread-safe; every call is one blocking command on its own connection (throws RedisUnavailable).
/// A stored answer is "v1 <found> <loaded-at ms>\n<body>"; anything else read back is refused with
/// std::runtime_error (the caller reads the database instead).
class RedisSharedReadCache final : public ports::SharedReadCache {
public:
    /// Keys are `<key_prefix>:rc:<key>`, like the flash sale's keys under the same prefix.
    RedisSharedReadCache(RedisSettings settings, std::string key_prefix)
        : redis_(std::move(settings)), prefix_(std::move(key_prefix) + ":rc:") {}

    std::optional<ports::SharedAnswer> get(const std::string& key) override;
    void put(const std::string& key, const ports::SharedAnswer& answer, std::chrono::milliseconds ttl) override;
    void remove(const std::string& key) override;
    long long generation() override;
    long long bump_generation() override;
    void publish(std::string_view what) override;

private:
    RedisReply checked(const std::vector<std::string>& args);

    RedisBlockingConnection redis_;
    const std::string prefix_;
};

/// Encoding of an answer as stored, public for the tests.
std::string encode_shared_answer(const ports::SharedAnswer& answer);
ports::SharedAnswer decode_shared_answer(std::string_view stored);

}  // namespace gomall::adapters::redis
