// The purchase path and the anti-bot token.
#include "services/seckill_purchases.hpp"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "services/jwt.hpp"
#include "services/seckill_errors.hpp"

namespace gomall::services {
namespace {

using domain::ReserveOutcome;

constexpr std::size_t kReservationIdBytes = 16;  // 128 bits: 32 hex characters
constexpr std::size_t kTokenBytes = 16;

}  // namespace

std::optional<Error> SeckillPurchases::refusal_from_memory(std::int64_t product_id) {
    const TimePoint now = clock_.now();
    auto refused = index_.memory_refusal(product_id, index_.select(product_id, now), now);
    if (refused && index_.metrics() != nullptr) {
        if (auto* counters = index_.activity_metrics(product_id, now)) {
            SeckillMetrics::count(*counters, outcome_of(refused->code));
        }
    }
    return refused;
}

boost::asio::awaitable<Result<domain::Reservation>> SeckillPurchases::purchase(
    std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
) {
    auto result = co_await attempt_purchase(user_id, product_id, std::move(token), trace);
    if (index_.metrics() != nullptr) {
        if (auto* counters = index_.activity_metrics(product_id, clock_.now())) {
            SeckillMetrics::count(*counters, result.ok() ? AttemptOutcome::kReserved : outcome_of(result.error().code));
        }
    }
    co_return result;
}

boost::asio::awaitable<Result<domain::Reservation>> SeckillPurchases::attempt_purchase(
    std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
) {
    const TimePoint now = clock_.now();
    const auto activity = index_.select(product_id, now);
    // Fast rejection for the crowd: outside the window or with the gate empty, answer from memory
    // before any per-request work (rate-limit bucket, token, reservation id, gate lock).
    if (auto refused = index_.memory_refusal(product_id, activity, now)) {
        co_return std::move(*refused);
    }
    // Each call below is awaited with the purchase's context handed to it, so the spans of the
    // stores behind the ports (Redis commands) join the purchase's trace.
    bool acquired = false;
    {
        const ActiveTrace::Handoff handoff(trace);
        acquired = co_await limiter_.try_acquire(user_id);
    }
    if (!acquired) {
        co_return make_error(ErrorCode::kSeckillRateLimited, "too many attempts; wait a moment and try again");
    }
    if (settings_.token_required) {
        std::optional<Error> refused;
        {
            const ActiveTrace::Handoff handoff(trace);
            refused = co_await consume_token(activity->id, user_id, std::move(token), now);
        }
        if (refused) {
            co_return *refused;
        }
    }

    domain::Reservation reservation;
    // Made before the unit is taken: nothing may fail between taking a unit and handing it off
    // without giving it back.
    reservation.id = random_hex(kReservationIdBytes);
    reservation.activity_id = activity->id;
    reservation.product_id = product_id;
    reservation.user_id = user_id;
    reservation.price = activity->price;
    reservation.reserved_at = now;
    reservation.status = domain::ReservationStatus::kPending;
    reservation.trace = trace;  // the queue's producer span is its child; the message carries it on

    domain::ReserveResult reserved;
    try {
        const ActiveTrace::Handoff handoff(trace);
        reserved = co_await gate_.reserve(activity->id, user_id, now, reservation.id);
    } catch (const std::exception& e) {
        spdlog::log(seckill_errors::outage_level(e), "flash sale {}: stock gate failed: {}", activity->id, e.what());
        co_return seckill_errors::unreachable(e);
    }
    switch (reserved.outcome) {
        case ReserveOutcome::kReserved:
            break;
        case ReserveOutcome::kSoldOut:
            co_return seckill_errors::sold_out();
        case ReserveOutcome::kNotStarted:
            co_return seckill_errors::not_started(*activity);
        case ReserveOutcome::kEnded:
            co_return seckill_errors::ended(*activity);
        case ReserveOutcome::kLimitReached:
            co_return make_error(
                ErrorCode::kLimitReached,
                "you have already bought the limit of " + std::to_string(activity->per_user_limit)
            );
        case ReserveOutcome::kUnknownActivity:
            if (now >= activity->end_time) {
                co_return seckill_errors::ended(*activity);  // indexed from the database after it ended; never loaded
            }
            spdlog::error("flash sale {} is indexed but not loaded into the stock gate", activity->id);
            co_return make_error(ErrorCode::kSeckillBusy, "the flash sale is not ready, please try again");
    }
    reservation.seq = reserved.seq;

    bool handed_off = false;
    std::optional<Error> not_queued;
    try {
        co_await queue_.publish(reservation);
        handed_off = true;
    } catch (const std::exception& e) {
        spdlog::log(
            seckill_errors::outage_level(e, spdlog::level::warn),
            "flash sale {}: reservation {} could not be queued: {}",
            activity->id,
            reservation.id,
            e.what()
        );
        not_queued = seckill_errors::busy(e);
    }
    if (!handed_off) {
        // The shopper is told to retry, so the unit and their mark must go back on sale.
        results_.forget(activity->id, user_id, reservation.id);
        try {
            const ActiveTrace::Handoff handoff(trace);
            co_await gate_.settle(activity->id, user_id, reservation.seq, true);
        } catch (const std::exception& e) {
            // A gate that keeps reservations in flight (Redis) has the reconciler return it later.
            spdlog::error("flash sale {}: returning a unit to the gate failed: {}", activity->id, e.what());
        }
        co_return *not_queued;
    }
    results_.record_queued(reservation);
    co_return reservation;
}

// ------------------------------------------------------------------------------------------ anti-bot token

boost::asio::awaitable<Result<std::string>> SeckillPurchases::issue_token(
    std::int64_t user_id, std::int64_t product_id
) {
    const TimePoint now = clock_.now();
    const auto activity = index_.select(product_id, now);
    if (!activity) {
        co_return seckill_errors::no_sale_for_product(product_id);
    }
    if (now < activity->start_time) {
        // Handing tokens out early would let bots stockpile them before the start.
        co_return seckill_errors::not_started(*activity);
    }
    if (now >= activity->end_time) {
        co_return seckill_errors::ended(*activity);
    }
    std::string token = random_hex(kTokenBytes);
    try {
        co_await tokens_.issue(activity->id, user_id, token, settings_.token_ttl, now);
    } catch (const std::exception& e) {
        spdlog::log(
            seckill_errors::outage_level(e),
            "flash sale {}: the token store could not issue a token: {}",
            activity->id,
            e.what()
        );
        co_return seckill_errors::unreachable(e);
    }
    co_return token;
}

boost::asio::awaitable<std::optional<Error>> SeckillPurchases::consume_token(
    std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
) {
    bool spent = false;
    // No token at all cannot match one that was issued: answered without asking the store.
    if (!token.empty()) {
        try {
            spent = co_await tokens_.consume(activity_id, user_id, std::move(token), now);
        } catch (const std::exception& e) {
            // Not "token required": the shopper's token may be fine, the store just cannot say so now.
            spdlog::log(
                seckill_errors::outage_level(e),
                "flash sale {}: the token store could not check a token: {}",
                activity_id,
                e.what()
            );
            co_return seckill_errors::unreachable(e);
        }
    }
    if (spent) {
        co_return std::nullopt;
    }
    co_return make_error(
        ErrorCode::kSeckillTokenRequired, "a fresh flash-sale token is required: get one from POST /api/seckill/token"
    );
}

}  // namespace gomall::services
