// In-memory stand-ins for the flash-sale service's ports, shared by the service and reconciler
// tests. Each honours its port's contract closely enough for the service's rules to be tested.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/unavailable.hpp"
#include "domain/product.hpp"
#include "domain/seckill.hpp"
#include "ports/clock.hpp"
#include "ports/product_repository.hpp"
#include "ports/reservation_queue.hpp"
#include "ports/seckill_repository.hpp"
#include "ports/seckill_token_store.hpp"
#include "ports/stock_gate.hpp"

namespace gomall::services::seckill_fakes {

using namespace std::chrono_literals;
using domain::ReservationStatus;
using domain::ReserveOutcome;

class ManualClock final : public ports::Clock {
public:
    TimePoint now() const override { return TimePoint{std::chrono::nanoseconds(nanos_.load())}; }
    void advance(std::chrono::nanoseconds by) { nanos_ += by.count(); }

private:
    std::atomic<std::int64_t> nanos_{std::chrono::nanoseconds(1'795'568'523s).count()};
};

/// Drives a coroutine to completion on a private io_context (the service's own executor is another one).
/// The result travels in an optional because co_spawn needs a default-constructible value and Result has none.
template <class T>
T run_sync(boost::asio::awaitable<T> work) {
    boost::asio::io_context io;
    auto wrapped = [](boost::asio::awaitable<T> inner) -> boost::asio::awaitable<std::optional<T>> {
        co_return co_await std::move(inner);
    };
    auto future = boost::asio::co_spawn(io, wrapped(std::move(work)), boost::asio::use_future);
    io.run();
    return *future.get();
}

/// Only find() matters to the service; the rest is inert.
class FakeProductRepository final : public ports::ProductRepository {
public:
    std::map<std::int64_t, domain::Product> products;

    domain::Page<domain::Product> list(const domain::ProductQuery&) override { return {}; }
    std::optional<domain::Product> find(std::int64_t id) override {
        const auto it = products.find(id);
        return it == products.end() ? std::nullopt : std::optional<domain::Product>(it->second);
    }
    std::int64_t create(const domain::NewProduct&, TimePoint) override { return 0; }
    bool update(std::int64_t, const domain::ProductPatch&, TimePoint) override { return false; }
    bool soft_delete(std::int64_t, TimePoint) override { return false; }
    std::vector<domain::Category> categories() override { return {}; }
    std::optional<domain::Category> find_category(std::int64_t) override { return std::nullopt; }
    std::optional<domain::Category> find_category_by_name(std::string_view) override { return std::nullopt; }
    std::int64_t create_category(std::string_view) override { return 0; }
    std::int64_t count_products() override { return 0; }
};

/// Activities in a map; tallies and stored reservations are set by the test (fulfil is the queue's business).
class FakeSeckillRepository final : public ports::SeckillRepository {
public:
    explicit FakeSeckillRepository(FakeProductRepository& products) : products_(products) {}

    std::map<std::int64_t, domain::SeckillActivity> activities;
    std::map<std::int64_t, ports::ActivityTally> tallies;
    std::vector<domain::Reservation> stored;
    int reads = 0;  // every call that would reach the database

    std::int64_t create_activity(const domain::SeckillActivity& activity, TimePoint now) override {
        ++reads;
        auto row = activity;
        row.id = next_id_++;
        row.sold = 0;
        row.created_at = row.updated_at = now;
        activities[row.id] = row;
        return row.id;
    }
    bool update_activity(const domain::SeckillActivity& activity, TimePoint now) override {
        ++reads;
        const auto it = activities.find(activity.id);
        if (it == activities.end()) {
            return false;
        }
        auto& row = it->second;
        row.price = activity.price;
        row.total_stock = activity.total_stock;
        row.start_time = activity.start_time;
        row.end_time = activity.end_time;
        row.per_user_limit = activity.per_user_limit;
        row.product_name = activity.product_name;
        row.product_image = activity.product_image;
        row.original_price = activity.original_price;
        row.updated_at = now;
        return true;
    }
    std::optional<domain::SeckillActivity> find_activity(std::int64_t id) override {
        ++reads;
        const auto it = activities.find(id);
        if (it == activities.end()) {
            return std::nullopt;
        }
        return joined(it->second);
    }
    std::vector<domain::SeckillActivity> list_activities(TimePoint since, int limit) override {
        ++reads;
        std::vector<domain::SeckillActivity> out;
        for (const auto& [id, a] : activities) {
            if (a.end_time > since) {
                out.push_back(joined(a));
            }
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start_time > b.start_time; });
        if (out.size() > static_cast<std::size_t>(limit)) {
            out.resize(static_cast<std::size_t>(limit));
        }
        if (after_listing) {
            auto hook = std::exchange(after_listing, nullptr);
            hook();  // e.g. another instance changes a row after it was read, and says so
        }
        return out;
    }
    /// Runs once, after the next list_activities() has read its rows.
    std::function<void()> after_listing;
    std::vector<domain::Reservation>
    fulfil(std::vector<domain::Reservation> batch, TimePoint, TimePoint, const std::function<std::string()>&) override {
        return batch;
    }
    domain::Reservation record_failed(domain::Reservation reservation, TimePoint) override {
        stored.push_back(reservation);
        return reservation;
    }
    std::optional<domain::Reservation> release_order(const std::string& order_no, TimePoint) override {
        for (auto& r : stored) {
            if (r.order_no == order_no && r.status == domain::ReservationStatus::kSucceeded) {
                r.status = domain::ReservationStatus::kReleased;
                --activities.at(r.activity_id).sold;
                return r;
            }
        }
        return std::nullopt;
    }
    ports::ActivityTally tally(std::int64_t activity_id) override {
        ++reads;
        return tallies[activity_id];
    }
    std::vector<domain::Reservation> reservations_of(std::int64_t activity_id, std::int64_t user_id) override {
        ++reads;
        std::vector<domain::Reservation> out;
        for (const auto& r : stored) {
            if (r.activity_id == activity_id && r.user_id == user_id) {
                out.push_back(r);
            }
        }
        return out;
    }
    std::int64_t sold(std::int64_t activity_id) override { return activities.at(activity_id).sold; }

private:
    /// An activity put in by a test without its product snapshot gets one, as the migration's backfill does.
    domain::SeckillActivity joined(domain::SeckillActivity a) const {
        if (const auto it = products_.products.find(a.product_id);
            a.product_name.empty() && it != products_.products.end()) {
            a.product_name = it->second.name;
            a.product_image = it->second.image_url;
            a.original_price = it->second.price;
        }
        return a;
    }

    FakeProductRepository& products_;
    std::int64_t next_id_ = 1;
};

/// Honours the StockGate contract: window, then the shopper's limit, then one unit, all at once.
class FakeStockGate final : public ports::StockGate {
public:
    struct Slot {
        domain::SeckillActivity activity;
        std::int64_t available = 0;
        std::map<std::int64_t, int> held;
        std::map<std::int64_t, int> issued;
    };
    std::map<std::int64_t, Slot> slots;
    int loads = 0;
    int releases = 0;

    void load(
        const domain::SeckillActivity& activity,
        std::int64_t available,
        const std::vector<ports::ShopperTally>& shoppers
    ) override {
        std::lock_guard lock(mutex_);
        ++loads;
        Slot slot{activity, available, {}, {}};
        for (const auto& s : shoppers) {
            slot.held[s.user_id] = s.held;
            slot.issued[s.user_id] = s.issued;
        }
        slots[activity.id] = std::move(slot);
    }
    void remove(std::int64_t activity_id) override {
        std::lock_guard lock(mutex_);
        slots.erase(activity_id);
    }
    boost::asio::awaitable<domain::ReserveResult>
    reserve(std::int64_t activity_id, std::int64_t user_id, TimePoint now, std::string /*reservation_id*/) override {
        co_return reserve_now(activity_id, user_id, now);
    }
    boost::asio::awaitable<void> release(std::int64_t activity_id, std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        ++releases;
        const auto it = slots.find(activity_id);
        if (it != slots.end()) {
            ++it->second.available;
            auto& held = it->second.held[user_id];
            held = std::max(0, held - 1);
        }
        co_return;
    }
    struct Settled {
        std::int64_t activity_id;
        std::int64_t user_id;
        int seq;
        bool returned;
    };
    std::vector<Settled> settled;
    bool in_flight_tracking = false;

    boost::asio::awaitable<void> settle(std::int64_t activity_id, std::int64_t user_id, int seq, bool returned)
        override {
        {
            std::lock_guard lock(mutex_);
            settled.push_back({activity_id, user_id, seq, returned});
        }
        if (returned) {
            co_await release(activity_id, user_id);
        }
    }
    std::vector<std::size_t> ordered_batches;  // sizes of settle_ordered calls

    boost::asio::awaitable<void> settle_ordered(
        std::int64_t activity_id, std::vector<std::pair<std::int64_t, int>> ordered
    ) override {
        {
            std::lock_guard lock(mutex_);
            ordered_batches.push_back(ordered.size());
        }
        for (const auto& [user_id, seq] : ordered) {
            co_await settle(activity_id, user_id, seq, false);
        }
    }
    /// What in_flight_of() answers (as another instance's reservations would be), per (activity, user).
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<ports::InFlightReservation>> in_flight;
    bool in_flight_fails = false;

    boost::asio::awaitable<std::vector<ports::InFlightReservation>> in_flight_of(
        std::int64_t activity_id, std::int64_t user_id
    ) override {
        std::lock_guard lock(mutex_);
        if (in_flight_fails) {
            throw DependencyUnavailable("redis down");
        }
        const auto it = in_flight.find({activity_id, user_id});
        co_return it == in_flight.end() ? std::vector<ports::InFlightReservation>{} : it->second;
    }
    bool tracks_in_flight() const override { return in_flight_tracking; }
    std::optional<std::int64_t> available(std::int64_t activity_id) const override {
        std::lock_guard lock(mutex_);
        const auto it = slots.find(activity_id);
        return it == slots.end() ? std::nullopt : std::optional<std::int64_t>(it->second.available);
    }

private:
    domain::ReserveResult reserve_now(std::int64_t activity_id, std::int64_t user_id, TimePoint now) {
        std::lock_guard lock(mutex_);
        const auto it = slots.find(activity_id);
        if (it == slots.end()) {
            return {ReserveOutcome::kUnknownActivity, 0};
        }
        auto& slot = it->second;
        if (now < slot.activity.start_time) {
            return {ReserveOutcome::kNotStarted, 0};
        }
        if (now >= slot.activity.end_time) {
            return {ReserveOutcome::kEnded, 0};
        }
        if (slot.held[user_id] >= slot.activity.per_user_limit) {
            return {ReserveOutcome::kLimitReached, 0};
        }
        if (slot.available <= 0) {
            return {ReserveOutcome::kSoldOut, 0};
        }
        --slot.available;
        ++slot.held[user_id];
        return {ReserveOutcome::kReserved, ++slot.issued[user_id]};
    }

    mutable std::mutex mutex_;
};

/// Honours the SeckillTokenStore contract: one token per (activity, shopper), spent at most once,
/// refused once expired. Can be told to fail like an unreachable store.
class FakeSeckillTokenStore final : public ports::SeckillTokenStore {
public:
    bool unreachable = false;
    int consumes = 0;  // calls that reached the store

    boost::asio::awaitable<void> issue(
        std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
    ) override {
        if (unreachable) {
            throw std::runtime_error("token store unreachable");
        }
        std::lock_guard lock(mutex_);
        tokens_[{activity_id, user_id}] = {std::move(token), now + ttl};
        co_return;
    }
    boost::asio::awaitable<bool> consume(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    ) override {
        if (unreachable) {
            throw std::runtime_error("token store unreachable");
        }
        std::lock_guard lock(mutex_);
        ++consumes;
        const auto it = tokens_.find({activity_id, user_id});
        if (it == tokens_.end() || it->second.first != token || it->second.second <= now) {
            co_return false;
        }
        tokens_.erase(it);
        co_return true;
    }

private:
    std::mutex mutex_;
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, TimePoint>> tokens_;
};

/// Records publishes; can be told to fail, or to report the outcome before publish() returns (as a
/// fast group commit does).
class FakeReservationQueue final : public ports::ReservationQueue {
public:
    std::vector<domain::Reservation> published;
    int failures_to_inject = 0;
    bool succeed_immediately = false;

    boost::asio::awaitable<void> publish(domain::Reservation reservation) override {
        if (failures_to_inject > 0) {
            --failures_to_inject;
            throw std::runtime_error("database is locked");
        }
        published.push_back(reservation);
        if (succeed_immediately) {
            succeed(reservation, "ORD-" + reservation.id.substr(0, 6));
        }
        co_return;
    }
    void on_outcome(std::function<void(const domain::Reservation&)> listener) override {
        listener_ = std::move(listener);
    }

    void succeed(domain::Reservation reservation, std::string order_no) {
        reservation.status = ReservationStatus::kSucceeded;
        reservation.order_no = std::move(order_no);
        listener_(reservation);
    }
    void fail(domain::Reservation reservation, std::string reason) {
        reservation.status = ReservationStatus::kFailed;
        reservation.fail_reason = std::move(reason);
        listener_(reservation);
    }

private:
    std::function<void(const domain::Reservation&)> listener_;
};

}  // namespace gomall::services::seckill_fakes
