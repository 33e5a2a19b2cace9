// The full-stack stock gate: an activity's units, shopper marks and in-flight reservations live in
// Redis and every reserve is one Lua script, so any number of instances share one atomic gate.
// A local copy of each activity's available count answers sold-out checks without I/O.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/stock_scripts.hpp"
#include "ports/stock_gate.hpp"
#include "ports/stock_ledger.hpp"

namespace gomall::adapters::redis {

/// reserve/release/settle are asynchronous on the Redis client and throw RedisUnavailable on an
/// outage (the service answers 503 and the unit stays where it was). load, snapshot and
/// correct_available block on their own connection: admin requests, startup and the reconciler.
class RedisStockGate final : public ports::StockGate, public ports::StockLedger {
public:
    RedisStockGate(RedisClient& client, RedisBlockingConnection& blocking, std::string key_prefix);

    void load(
        const domain::SeckillActivity& activity,
        std::int64_t available,
        const std::vector<ports::ShopperTally>& shoppers
    ) override;
    void remove(std::int64_t activity_id) override;
    boost::asio::awaitable<domain::ReserveResult> reserve(
        std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
    ) override;
    boost::asio::awaitable<void> release(std::int64_t activity_id, std::int64_t user_id) override;
    boost::asio::awaitable<void> settle(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned)
        override;
    /// One HDEL of the pending entries (in chunks): no script needed, as the units stay sold.
    boost::asio::awaitable<void> settle_ordered(
        std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
    ) override;
    /// One script over the shopper's latest kInFlightWindow seqs (a shopper holds at most the
    /// activity's per-user limit at once, far fewer).
    boost::asio::awaitable<std::vector<ports::InFlightReservation>> in_flight_of(
        std::int64_t activity_id, std::int64_t user_id
    ) override;
    bool tracks_in_flight() const override { return true; }
    std::optional<std::int64_t> available(std::int64_t activity_id) const override;

    /// Re-reads the available count of every activity this instance knows from Redis (blocking, one
    /// GET each), so units sold or returned through other instances show here too: in the views'
    /// sold/remaining and in the sold-out check that spares Redis a script. Returns how many were read.
    std::size_t refresh_available();

    std::optional<ports::LedgerSnapshot> snapshot(std::int64_t activity_id) override;
    bool correct_available(std::int64_t activity_id, std::int64_t seen, std::int64_t corrected) override;
    void forget(std::int64_t activity_id) override;

    static constexpr int kInFlightWindow = 64;

    /// The keys of one activity, in the order the scripts take them: meta, stock, held, seq, pending.
    std::vector<std::string> keys_of(std::int64_t activity_id) const;

private:
    void remember(std::int64_t activity_id, std::int64_t available);

    RedisClient& client_;
    RedisBlockingConnection& blocking_;
    const std::string key_prefix_;
    const StockScripts scripts_;

    mutable std::shared_mutex local_mutex_;
    std::unordered_map<std::int64_t, std::shared_ptr<std::atomic<std::int64_t>>> local_available_;
};

}  // namespace gomall::adapters::redis
