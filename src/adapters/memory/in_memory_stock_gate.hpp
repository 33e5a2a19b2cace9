// The embedded-mode stock gate: each activity's units and shoppers' marks in process memory,
// so flash-sale requests are answered without touching the database.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "ports/stock_gate.hpp"

namespace gomall::adapters::memory {

/// Thread-safe. Each activity has its own mutex, so sales of different activities never contend;
/// once an activity is sold out, reserve() answers from an atomic counter without taking it.
class InMemoryStockGate final : public ports::StockGate {
public:
    InMemoryStockGate() = default;
    InMemoryStockGate(const InMemoryStockGate&) = delete;
    InMemoryStockGate& operator=(const InMemoryStockGate&) = delete;

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
    /// Nothing is tracked in flight here: a returned reservation is a release, a fulfilled one a no-op.
    boost::asio::awaitable<void> settle(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned)
        override;
    /// Orders keep their units and marks: nothing to do.
    boost::asio::awaitable<void> settle_ordered(
        std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
    ) override;
    /// Always empty: this process's own memory of results already knows every reservation.
    boost::asio::awaitable<std::vector<ports::InFlightReservation>> in_flight_of(
        std::int64_t activity_id, std::int64_t user_id
    ) override;

    std::optional<std::int64_t> available(std::int64_t activity_id) const override;

    /// The synchronous cores of reserve() and release(), for callers that are not coroutines.
    domain::ReserveResult try_reserve(std::int64_t activity_id, std::int64_t user_id, TimePoint now);
    void give_back(std::int64_t activity_id, std::int64_t user_id);

    /// A shopper's marks (held, issued) in an activity, for tests and diagnostics.
    std::optional<ports::ShopperTally> shopper(std::int64_t activity_id, std::int64_t user_id) const;

private:
    struct Marks {
        int held = 0;
        int issued = 0;
    };

    struct Activity {
        mutable std::mutex mutex;
        // Written under `mutex`; atomic so the sold-out fast path may read them without it.
        std::atomic<std::int64_t> available{0};
        std::atomic<TimePoint::rep> start{0};
        std::atomic<TimePoint::rep> end{0};
        int per_user_limit = 1;                         // guarded by mutex
        std::unordered_map<std::int64_t, Marks> marks;  // guarded by mutex
    };

    std::shared_ptr<Activity> find(std::int64_t activity_id) const;

    mutable std::shared_mutex activities_mutex_;
    std::unordered_map<std::int64_t, std::shared_ptr<Activity>> activities_;
};

}  // namespace gomall::adapters::memory
