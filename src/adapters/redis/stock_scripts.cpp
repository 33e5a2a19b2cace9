// Script bodies. They trust their arguments (the gate builds them) and read numbers with tonumber.
#include "adapters/redis/stock_scripts.hpp"

namespace gomall::adapters::redis {
namespace {

// KEYS: meta stock held seq pending. ARGV: user, now_ms, reservation id.
// The pending entry is "<user>:<seq>" -> "<now_ms>:<reservation id>".
// The order of checks matches the in-process gate: window, the shopper's limit, then a unit.
constexpr const char* kReserve = R"lua(
local m = redis.call('HMGET', KEYS[1], 'start', 'end', 'limit', 'seq_base')
if not m[1] then return {-5, 0, 0} end
local now = tonumber(ARGV[2])
if now < tonumber(m[1]) then return {-2, 0, 0} end
if now >= tonumber(m[2]) then return {-3, 0, 0} end
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if held >= tonumber(m[3]) then return {-4, 0, 0} end
local left = tonumber(redis.call('GET', KEYS[2]) or '0')
if left <= 0 then return {-1, 0, 0} end
redis.call('DECR', KEYS[2])
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[4], ARGV[1], tonumber(m[4] or '0'))
end
local seq = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
redis.call('HSET', KEYS[5], ARGV[1] .. ':' .. seq, ARGV[2] .. ':' .. (ARGV[3] or ''))
return {1, seq, left - 1}
)lua";

// KEYS: meta stock held. ARGV: user. An order was cancelled: its unit and the shopper's mark return.
constexpr const char* kRelease = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local h = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if h > 0 then redis.call('HINCRBY', KEYS[3], ARGV[1], -1) end
return redis.call('INCR', KEYS[2])
)lua";

// KEYS: meta stock held pending. ARGV: user, seq, returned (1/0).
// The pending entry is the reservation's claim on its unit: removing it is what makes this once-only.
constexpr const char* kSettle = R"lua(
if redis.call('HDEL', KEYS[4], ARGV[1] .. ':' .. ARGV[2]) == 0 then return -1 end
if ARGV[3] == '1' then
  local h = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
  if h > 0 then redis.call('HINCRBY', KEYS[3], ARGV[1], -1) end
  return redis.call('INCR', KEYS[2])
end
return tonumber(redis.call('GET', KEYS[2]) or '0')
)lua";

// KEYS: meta stock held seq pending. ARGV: start, end, limit, total, available, seq_base,
// then (user, held, issued) triples. A known activity only takes the new window, limit and total
// (its live counts are newer than any database tally); an unknown one is rebuilt from the tally.
constexpr const char* kLoad = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  local old_total = tonumber(redis.call('HGET', KEYS[1], 'total') or ARGV[4])
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'end', ARGV[2], 'limit', ARGV[3], 'total', ARGV[4])
  local delta = tonumber(ARGV[4]) - old_total
  if delta ~= 0 then redis.call('INCRBY', KEYS[2], delta) end
  return {0, tonumber(redis.call('GET', KEYS[2]) or '0')}
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('SET', KEYS[2], ARGV[5])
for i = 7, #ARGV, 3 do
  if tonumber(ARGV[i + 1]) > 0 then redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 2])
end
redis.call('HSET', KEYS[1], 'start', ARGV[1], 'end', ARGV[2], 'limit', ARGV[3], 'total', ARGV[4], 'seq_base', ARGV[6])
return {1, tonumber(ARGV[5])}
)lua";

// KEYS: meta stock pending. Returns available, then (user, seq, reserved_at_ms, id) per entry.
constexpr const char* kSnapshot = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local out = {tonumber(redis.call('GET', KEYS[2]) or '0')}
local p = redis.call('HGETALL', KEYS[3])
for i = 1, #p, 2 do
  local sep = string.find(p[i], ':', 1, true)
  out[#out + 1] = tonumber(string.sub(p[i], 1, sep - 1))
  out[#out + 1] = tonumber(string.sub(p[i], sep + 1))
  local v = p[i + 1]
  local vsep = string.find(v, ':', 1, true)
  if vsep then
    out[#out + 1] = tonumber(string.sub(v, 1, vsep - 1))
    out[#out + 1] = string.sub(v, vsep + 1)
  else
    out[#out + 1] = tonumber(v)
    out[#out + 1] = ''
  end
end
return out
)lua";

// KEYS: meta stock pending. ARGV: seen, corrected.
constexpr const char* kCorrect = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HLEN', KEYS[3]) ~= 0 then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
)lua";

// KEYS: seq pending. ARGV: user, how many of the shopper's latest seqs to look at.
// Returns (seq, reserved_at_ms, id) per entry still pending, newest first. Looking back over the
// latest seqs only keeps it O(window) where HSCAN would walk every pending entry of the sale.
constexpr const char* kShopperInFlight = R"lua(
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local out = {}
local first = math.max(1, last - tonumber(ARGV[2]) + 1)
for s = last, first, -1 do
  local v = redis.call('HGET', KEYS[2], ARGV[1] .. ':' .. s)
  if v then
    local sep = string.find(v, ':', 1, true)
    out[#out + 1] = s
    if sep then
      out[#out + 1] = tonumber(string.sub(v, 1, sep - 1))
      out[#out + 1] = string.sub(v, sep + 1)
    else
      out[#out + 1] = tonumber(v)
      out[#out + 1] = ''
    end
  end
end
return out
)lua";

}  // namespace

StockScripts::StockScripts()
    : reserve(kReserve),
      release(kRelease),
      settle(kSettle),
      load(kLoad),
      snapshot(kSnapshot),
      correct(kCorrect),
      shopper_in_flight(kShopperInFlight) {}

}  // namespace gomall::adapters::redis
