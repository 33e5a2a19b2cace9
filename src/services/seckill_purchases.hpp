// Buying in a flash sale, the hot path: index -> rate limit -> anti-bot token -> stock gate ->
// durable queue. Reads only memory and the stores behind the ports; never the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"
#include "core/time.hpp"
#include "core/trace_context.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/purchase_rate_limiter.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_token_store.hpp"
#include "ports/stock_gate.hpp"
#include "services/flash_sale_api.hpp"
#include "services/seckill_activity_index.hpp"
#include "services/seckill_results.hpp"
#include "services/seckill_settings.hpp"

namespace gomall::services {

/// Thread-safe; never blocks a thread.
class SeckillPurchases final : public FlashSalePurchases {
public:
    /// `results` learns of each reservation handed to the queue (and forgets one that was not).
    SeckillPurchases(
        SeckillActivityIndex& index,
        ports::StockGate& gate,
        ports::ReservationQueue& queue,
        ports::PurchaseRateLimiter& limiter,
        ports::SeckillTokenStore& tokens,
        SeckillResults& results,
        const ports::Clock& clock,
        SeckillSettings settings
    )
        : index_(index),
          gate_(gate),
          queue_(queue),
          limiter_(limiter),
          tokens_(tokens),
          results_(results),
          clock_(clock),
          settings_(settings) {}

    std::optional<Error> refusal_from_memory(std::int64_t product_id) override;
    boost::asio::awaitable<Result<domain::Reservation>> purchase(
        std::int64_t user_id, std::int64_t product_id, std::string token = {}, TraceContext trace = {}
    ) override;
    boost::asio::awaitable<Result<std::string>> issue_token(std::int64_t user_id, std::int64_t product_id) override;
    bool token_required() const { return settings_.token_required; }

private:
    boost::asio::awaitable<Result<domain::Reservation>> attempt_purchase(
        std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
    );
    boost::asio::awaitable<std::optional<Error>> consume_token(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    );

    SeckillActivityIndex& index_;
    ports::StockGate& gate_;
    ports::ReservationQueue& queue_;
    ports::PurchaseRateLimiter& limiter_;
    ports::SeckillTokenStore& tokens_;
    SeckillResults& results_;
    const ports::Clock& clock_;
    const SeckillSettings settings_;
};

}  // namespace gomall::services
