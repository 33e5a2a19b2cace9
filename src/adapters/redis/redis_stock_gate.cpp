// Calls of the stock scripts and the local available-count cache.
#include "adapters/redis/redis_stock_gate.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace gomall::adapters::redis {
namespace {

using domain::ReserveOutcome;

/// Seq numbers of a rebuilt activity start this far above the database's highest, so that a new
/// reservation cannot take the (activity, user, seq) of one still in flight through the broker.
constexpr std::int64_t kRebuildSeqGap = 10'000;

std::string millis(TimePoint t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

void expect_no_error(const RedisReply& reply, const char* what) {
    if (reply.is_error()) {
        // An error reply is a bug in a script or a misconfigured server, not an outage.
        throw std::runtime_error(std::string("redis ") + what + " failed: " + reply.text);
    }
}

}  // namespace

RedisStockGate::RedisStockGate(RedisClient& client, RedisBlockingConnection& blocking, std::string key_prefix)
    : client_(client), blocking_(blocking), key_prefix_(std::move(key_prefix)) {}

std::vector<std::string> RedisStockGate::keys_of(std::int64_t activity_id) const {
    const std::string base = key_prefix_ + ":sk:{a" + std::to_string(activity_id) + "}:";
    return {base + "meta", base + "stock", base + "held", base + "seq", base + "pending"};
}

void RedisStockGate::remember(std::int64_t activity_id, std::int64_t available) {
    {
        std::shared_lock lock(local_mutex_);
        if (const auto it = local_available_.find(activity_id); it != local_available_.end()) {
            it->second->store(available, std::memory_order_relaxed);
            return;
        }
    }
    std::unique_lock lock(local_mutex_);
    auto& slot = local_available_[activity_id];
    if (!slot) {
        slot = std::make_shared<std::atomic<std::int64_t>>(available);
    } else {
        slot->store(available, std::memory_order_relaxed);
    }
}

void RedisStockGate::load(
    const domain::SeckillActivity& activity, std::int64_t available, const std::vector<ports::ShopperTally>& shoppers
) {
    std::int64_t highest_seq = 0;
    for (const auto& s : shoppers) {
        highest_seq = std::max<std::int64_t>(highest_seq, s.issued);
    }
    const std::int64_t seq_base =
        std::min<std::int64_t>(highest_seq + kRebuildSeqGap, std::numeric_limits<int>::max() / 2);
    std::vector<std::string> args{
        millis(activity.start_time),
        millis(activity.end_time),
        std::to_string(activity.per_user_limit),
        std::to_string(activity.total_stock),
        std::to_string(available),
        std::to_string(shoppers.empty() ? 0 : seq_base)};
    args.reserve(args.size() + shoppers.size() * 3);
    for (const auto& s : shoppers) {
        args.push_back(std::to_string(s.user_id));
        args.push_back(std::to_string(s.held));
        args.push_back(std::to_string(s.issued + seq_base));
    }
    const RedisReply reply = blocking_.eval(scripts_.load, keys_of(activity.id), args);
    expect_no_error(reply, "load");
    if (reply.elements.size() != 2) {
        throw std::runtime_error("redis load: unexpected reply " + reply.describe());
    }
    const bool rebuilt = reply.elements[0].as_integer() == 1;
    const std::int64_t now_available = reply.elements[1].as_integer();
    remember(activity.id, now_available);
    if (rebuilt) {
        spdlog::info(
            "flash sale {}: stock gate in redis (re)built from the database: {} available, {} shopper(s)",
            activity.id,
            now_available,
            shoppers.size()
        );
    }
}

void RedisStockGate::remove(std::int64_t activity_id) {
    // Other instances may still serve the activity: only this instance's view is dropped.
    std::unique_lock lock(local_mutex_);
    local_available_.erase(activity_id);
}

boost::asio::awaitable<domain::ReserveResult> RedisStockGate::reserve(
    std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string reservation_id
) {
    // Named vectors, not braced lists: GCC 12 miscompiles initializer lists inside co_await.
    std::vector<std::string> args;
    args.push_back(std::to_string(user_id));
    args.push_back(millis(now));
    args.push_back(std::move(reservation_id));
    const RedisReply reply = co_await client_.eval(scripts_.reserve, keys_of(activity_id), std::move(args));
    expect_no_error(reply, "reserve");
    if (reply.elements.size() != 3) {
        throw std::runtime_error("redis reserve: unexpected reply " + reply.describe());
    }
    const auto code = reply.elements[0].as_integer();
    domain::ReserveResult result;
    switch (code) {
        case 1:
            result.outcome = ReserveOutcome::kReserved;
            result.seq = static_cast<int>(reply.elements[1].as_integer());
            remember(activity_id, reply.elements[2].as_integer());
            break;
        case -1:
            result.outcome = ReserveOutcome::kSoldOut;
            remember(activity_id, 0);
            break;
        case -2:
            result.outcome = ReserveOutcome::kNotStarted;
            break;
        case -3:
            result.outcome = ReserveOutcome::kEnded;
            break;
        case -4:
            result.outcome = ReserveOutcome::kLimitReached;
            break;
        default:
            // Redis does not know the activity: it lost its data. The reconciler rebuilds it.
            result.outcome = ReserveOutcome::kUnknownActivity;
            break;
    }
    co_return result;
}

boost::asio::awaitable<void> RedisStockGate::release(std::int64_t activity_id, std::int64_t user_id) {
    auto keys = keys_of(activity_id);
    keys.resize(3);
    std::vector<std::string> args;
    args.push_back(std::to_string(user_id));
    const RedisReply reply = co_await client_.eval(scripts_.release, std::move(keys), std::move(args));
    expect_no_error(reply, "release");
    if (const auto left = reply.as_integer(-1); left >= 0) {
        remember(activity_id, left);
    }
}

boost::asio::awaitable<void> RedisStockGate::settle(
    std::int64_t activity_id, std::int64_t user_id, int seq, bool returned
) {
    auto keys = keys_of(activity_id);
    keys.erase(keys.begin() + 3);  // meta stock held pending
    std::vector<std::string> args;
    args.push_back(std::to_string(user_id));
    args.push_back(std::to_string(seq));
    args.emplace_back(returned ? "1" : "0");
    const RedisReply reply = co_await client_.eval(scripts_.settle, std::move(keys), std::move(args));
    expect_no_error(reply, "settle");
    if (const auto left = reply.as_integer(-1); left >= 0) {
        remember(activity_id, left);
    }
}

boost::asio::awaitable<void> RedisStockGate::settle_ordered(
    std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
) {
    // Bounds one command's size; a consumer batch is at most a few hundred orders anyway.
    constexpr std::size_t kFieldsPerCommand = 512;
    const std::string pending = keys_of(activity_id)[4];
    for (std::size_t first = 0; first < ordered.size(); first += kFieldsPerCommand) {
        const std::size_t last = std::min(ordered.size(), first + kFieldsPerCommand);
        std::vector<std::string> args;
        args.reserve(2 + last - first);
        args.emplace_back("HDEL");
        args.push_back(pending);
        for (std::size_t i = first; i < last; ++i) {
            args.push_back(std::to_string(ordered[i].first) + ':' + std::to_string(ordered[i].second));
        }
        const RedisReply reply = co_await client_.command(std::move(args));
        expect_no_error(reply, "settle ordered");
    }
}

boost::asio::awaitable<std::vector<ports::InFlightReservation>> RedisStockGate::in_flight_of(
    std::int64_t activity_id, std::int64_t user_id
) {
    auto all = keys_of(activity_id);
    std::vector<std::string> keys;
    keys.push_back(std::move(all[3]));
    keys.push_back(std::move(all[4]));
    std::vector<std::string> args;
    args.push_back(std::to_string(user_id));
    args.push_back(std::to_string(kInFlightWindow));
    const RedisReply reply = co_await client_.eval(scripts_.shopper_in_flight, std::move(keys), std::move(args));
    expect_no_error(reply, "in flight");
    std::vector<ports::InFlightReservation> out;
    for (std::size_t i = 0; i + 2 < reply.elements.size(); i += 3) {
        ports::InFlightReservation r;
        r.user_id = user_id;
        r.seq = static_cast<int>(reply.elements[i].as_integer());
        r.reserved_at = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
            std::chrono::milliseconds(reply.elements[i + 1].as_integer())
        ));
        r.reservation_id = reply.elements[i + 2].text;
        out.push_back(std::move(r));
    }
    co_return out;
}

std::optional<std::int64_t> RedisStockGate::available(std::int64_t activity_id) const {
    std::shared_lock lock(local_mutex_);
    const auto it = local_available_.find(activity_id);
    if (it == local_available_.end()) {
        return std::nullopt;
    }
    return it->second->load(std::memory_order_relaxed);
}

std::size_t RedisStockGate::refresh_available() {
    std::vector<std::int64_t> known;
    {
        std::shared_lock lock(local_mutex_);
        known.reserve(local_available_.size());
        for (const auto& entry : local_available_) {
            known.push_back(entry.first);
        }
    }
    std::size_t read = 0;
    for (const std::int64_t activity_id : known) {
        std::vector<std::string> args;
        args.emplace_back("GET");
        args.push_back(keys_of(activity_id)[1]);
        const RedisReply reply = blocking_.command(args);
        expect_no_error(reply, "available");
        if (reply.is_nil()) {
            continue;  // forgotten after its end, or lost: the reconciler deals with it
        }
        std::shared_lock lock(local_mutex_);
        if (const auto it = local_available_.find(activity_id); it != local_available_.end()) {
            it->second->store(reply.as_integer(), std::memory_order_relaxed);
            ++read;
        }
    }
    return read;
}

std::optional<ports::LedgerSnapshot> RedisStockGate::snapshot(std::int64_t activity_id) {
    const auto all = keys_of(activity_id);
    const RedisReply reply = blocking_.eval(scripts_.snapshot, {all[0], all[1], all[4]}, {});
    expect_no_error(reply, "snapshot");
    if (reply.elements.empty()) {
        return std::nullopt;
    }
    ports::LedgerSnapshot out;
    out.available = reply.elements[0].as_integer();
    for (std::size_t i = 1; i + 3 < reply.elements.size(); i += 4) {
        ports::InFlightReservation r;
        r.user_id = reply.elements[i].as_integer();
        r.seq = static_cast<int>(reply.elements[i + 1].as_integer());
        r.reserved_at = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
            std::chrono::milliseconds(reply.elements[i + 2].as_integer())
        ));
        r.reservation_id = reply.elements[i + 3].text;
        out.in_flight.push_back(std::move(r));
    }
    remember(activity_id, out.available);
    return out;
}

bool RedisStockGate::correct_available(std::int64_t activity_id, std::int64_t seen, std::int64_t corrected) {
    const auto all = keys_of(activity_id);
    const RedisReply reply =
        blocking_.eval(scripts_.correct, {all[0], all[1], all[4]}, {std::to_string(seen), std::to_string(corrected)});
    expect_no_error(reply, "correct");
    const bool applied = reply.as_integer() == 1;
    if (applied) {
        remember(activity_id, corrected);
    }
    return applied;
}

void RedisStockGate::forget(std::int64_t activity_id) {
    // One DEL: the keys share a hash slot, so this works on Redis Cluster too.
    std::vector<std::string> args = keys_of(activity_id);
    args.insert(args.begin(), "DEL");
    expect_no_error(blocking_.command(args), "forget");
    remove(activity_id);
}

}  // namespace gomall::adapters::redis
