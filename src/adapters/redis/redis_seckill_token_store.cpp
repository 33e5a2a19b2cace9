// A token is stored as "<expires ms>:<token>". The expiry inside the value is checked against the
// caller's clock (the service's, as in embedded mode); the key's own PX only lets Redis clean up.
#include "adapters/redis/redis_seckill_token_store.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gomall::adapters::redis {
namespace {

// KEYS: the shopper's token. ARGV: the token presented, now ms. Returns 1 when it was spent by this
// call. A wrong token leaves the stored one in place: a guess must not cost the shopper their token.
constexpr const char* kConsume = R"lua(
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
local sep = string.find(stored, ':', 1, true)
if not sep then
  redis.call('DEL', KEYS[1])
  return 0
end
if tonumber(string.sub(stored, 1, sep - 1)) <= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return 0
end
if string.sub(stored, sep + 1) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua";

std::int64_t millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void expect_no_error(const RedisReply& reply, const char* what) {
    if (reply.is_error()) {
        // An error reply is a bug in the script or a misconfigured server, not an outage.
        throw std::runtime_error(std::string("redis ") + what + " failed: " + reply.text);
    }
}

}  // namespace

RedisSeckillTokenStore::RedisSeckillTokenStore(RedisClient& client, std::string key_prefix)
    : client_(client), key_prefix_(std::move(key_prefix)), consume_script_(kConsume) {}

std::string RedisSeckillTokenStore::key_of(std::int64_t activity_id, std::int64_t user_id) const {
    // The activity's hash tag, as its stock keys carry, keeps one activity's keys in one cluster slot.
    return key_prefix_ + ":tk:{a" + std::to_string(activity_id) + "}:" + std::to_string(user_id);
}

boost::asio::awaitable<void> RedisSeckillTokenStore::issue(
    std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
) {
    // PX must be positive; a token that expires at once is still refused by the expiry in the value.
    const auto px = std::max<std::int64_t>(1, ttl.count());
    // Named vectors, not braced lists: GCC 12 miscompiles initializer lists inside co_await.
    std::vector<std::string> args;
    args.emplace_back("SET");
    args.push_back(key_of(activity_id, user_id));
    args.push_back(std::to_string(millis(now + ttl)) + ":" + token);
    args.emplace_back("PX");
    args.push_back(std::to_string(px));
    const RedisReply reply = co_await client_.command(std::move(args));
    expect_no_error(reply, "token issue");
}

boost::asio::awaitable<bool> RedisSeckillTokenStore::consume(
    std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
) {
    if (token.empty()) {
        co_return false;  // never issued, so not worth a round trip
    }
    std::vector<std::string> keys;
    keys.push_back(key_of(activity_id, user_id));
    std::vector<std::string> args;
    args.push_back(std::move(token));
    args.push_back(std::to_string(millis(now)));
    const RedisReply reply = co_await client_.eval(consume_script_, std::move(keys), std::move(args));
    expect_no_error(reply, "token consume");
    co_return reply.as_integer() == 1;
}

}  // namespace gomall::adapters::redis
