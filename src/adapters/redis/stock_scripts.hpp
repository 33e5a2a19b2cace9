// The Lua scripts of the Redis stock gate. Each runs atomically in Redis; every key of one activity
// carries the hash tag {a<id>}, so the scripts also run on Redis Cluster (one slot per activity).
//
// Keys of an activity (see RedisStockGate::keys_of):
//   meta     hash: start, end (ms since epoch), limit, total, seq_base
//   stock    units available for sale
//   held     hash user -> units held (in flight or ordered), checked against the limit
//   seq      hash user -> last reservation number issued
//   pending  hash "user:seq" -> reserved_at ms: reservations not yet known to be orders
#pragma once

#include "adapters/redis/redis_script.hpp"

namespace gomall::adapters::redis {

struct StockScripts {
    RedisScript
        reserve;  // -> {code, seq, left}; code 1 reserved, -1 sold out, -2 not started, -3 ended, -4 limit, -5 unknown
    RedisScript release;            // -> stock after, or -1 when the activity is unknown
    RedisScript settle;             // -> stock after, or -1 when the reservation was already settled
    RedisScript load;               // -> {1 rebuilt | 0 meta refreshed, stock}
    RedisScript snapshot;           // -> {} unknown, or {stock, user, seq, reserved_at, ...}
    RedisScript correct;            // -> 1 applied, 0 refused
    RedisScript shopper_in_flight;  // -> {seq, reserved_at, id, ...} newest first

    StockScripts();
};

}  // namespace gomall::adapters::redis
