// A token bucket kept as a small hash {tokens, updated ms} that expires once it would be full again.
#include "adapters/redis/redis_rate_limiter.hpp"

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace gomall::adapters::redis {
namespace {

// KEYS: bucket. ARGV: rate per second, burst, now ms. Returns 1 when a token was taken.
constexpr const char* kTokenBucket = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) / 1000 * rate) end
local ok = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok
)lua";

}  // namespace

RedisPurchaseRateLimiter::RedisPurchaseRateLimiter(
    RedisClient& client, const ports::Clock& clock, std::string key_prefix, double rate_per_second, double burst
)
    : client_(client),
      clock_(clock),
      key_prefix_(std::move(key_prefix)),
      rate_(fmt::format("{}", rate_per_second)),
      burst_(fmt::format("{}", burst)),
      script_(kTokenBucket) {
    if (!(rate_per_second > 0) || !(burst >= 1)) {
        throw std::invalid_argument("seckill rate limit: rate must be > 0 and burst >= 1");
    }
}

boost::asio::awaitable<bool> RedisPurchaseRateLimiter::try_acquire(std::int64_t user_id) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
    try {
        // Named vectors, not braced lists: GCC 12 miscompiles initializer lists inside co_await.
        std::vector<std::string> keys;
        keys.push_back(key_prefix_ + ":rl:{u" + std::to_string(user_id) + "}");
        std::vector<std::string> args;
        args.push_back(rate_);
        args.push_back(burst_);
        args.push_back(std::to_string(now_ms));
        const RedisReply reply = co_await client_.eval(script_, std::move(keys), std::move(args));
        if (reply.is_error()) {
            spdlog::error("redis rate limit script failed: {}", reply.text);
            co_return true;
        }
        co_return reply.as_integer() == 1;
    } catch (const RedisUnavailable&) {
        co_return true;
    }
}

}  // namespace gomall::adapters::redis
