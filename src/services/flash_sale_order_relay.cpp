// The relay: the writer's hand-over, and the worker that sweeps what was left behind.
#include "services/flash_sale_order_relay.hpp"

#include <algorithm>
#include <exception>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {

FlashSaleOrderRelay::FlashSaleOrderRelay(
    ports::FlashSaleOrderOutbox& outbox,
    ports::FlashSaleOrderIntake& intake,
    const ports::Clock& clock,
    FlashSaleOrderRelaySettings settings
)
    : outbox_(outbox), intake_(intake), clock_(clock), settings_(settings) {}

FlashSaleOrderRelay::~FlashSaleOrderRelay() {
    stop();
}

void FlashSaleOrderRelay::start() {
    const std::lock_guard lock(mutex_);
    if (worker_.joinable()) {
        return;
    }
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
}

void FlashSaleOrderRelay::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) {
        worker_.join();
    }
}

void FlashSaleOrderRelay::hand_over(std::vector<domain::Reservation>& batch) {
    std::vector<std::string> numbers;
    for (const auto& r : batch) {
        if (r.status == domain::ReservationStatus::kSucceeded && !r.order_no.empty()) {
            numbers.push_back(r.order_no);
        }
    }
    if (numbers.empty()) {
        return;
    }
    std::set<std::string> waiting;
    try {
        const auto left = send_written(numbers);
        waiting.insert(left.begin(), left.end());
    } catch (const std::exception& e) {
        counters_.failed_calls.fetch_add(1, std::memory_order_relaxed);
        report(false, e.what());
        waiting.insert(numbers.begin(), numbers.end());  // unknown: the sweep finds out
    }
    for (auto& r : batch) {
        if (r.status == domain::ReservationStatus::kSucceeded && waiting.count(r.order_no) != 0) {
            r.status = domain::ReservationStatus::kPending;
            r.order_no.clear();
        }
    }
}

bool FlashSaleOrderRelay::send(const std::vector<domain::Order>& orders) {
    if (orders.empty()) {
        return true;
    }
    const auto taken = intake_.accept(orders);
    if (!taken.ok()) {
        counters_.failed_calls.fetch_add(1, std::memory_order_relaxed);
        report(false, taken.error().message);
        return false;
    }
    std::vector<std::string> numbers;
    numbers.reserve(orders.size());
    for (const auto& order : orders) {
        numbers.push_back(order.order_no);
    }
    outbox_.remove(numbers);
    counters_.handed_over.fetch_add(orders.size(), std::memory_order_relaxed);
    report(true, {});
    return true;
}

std::vector<std::string> FlashSaleOrderRelay::send_written(const std::vector<std::string>& order_nos) {
    const auto step = static_cast<std::size_t>(std::max(1, settings_.batch));
    for (std::size_t first = 0; first < order_nos.size(); first += step) {
        const auto from = order_nos.begin() + static_cast<std::ptrdiff_t>(first);
        const auto to = order_nos.begin() + static_cast<std::ptrdiff_t>(std::min(order_nos.size(), first + step));
        // A number no longer in the outbox was taken already (another relay's sweep).
        const auto orders = outbox_.find(std::vector<std::string>(from, to));
        if (!send(orders)) {
            std::vector<std::string> left;
            left.reserve(orders.size() + static_cast<std::size_t>(order_nos.end() - to));
            for (const auto& order : orders) {
                left.push_back(order.order_no);
            }
            left.insert(left.end(), to, order_nos.end());  // not tried: still in the outbox
            return left;
        }
    }
    return {};
}

std::uint64_t FlashSaleOrderRelay::sweep() {
    std::uint64_t sent = 0;
    const int limit = std::max(1, settings_.batch);
    for (;;) {
        const auto orders = outbox_.oldest(clock_.now() - settings_.left_behind_after, limit);
        if (!send(orders)) {
            break;
        }
        sent += orders.size();
        if (orders.size() < static_cast<std::size_t>(limit)) {
            break;
        }
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            break;
        }
    }
    return sent;
}

void FlashSaleOrderRelay::report(bool ok, const std::string& why) {
    // Once per change of state, not once per failed call: while the order service is away the
    // sweep fails every second.
    const std::lock_guard lock(mutex_);
    if (!ok && !failing_) {
        spdlog::warn("flash-sale orders: the order service did not take them ({}); they wait in the outbox", why);
    } else if (ok && failing_) {
        spdlog::info("flash-sale orders: the order service takes them again");
    }
    failing_ = !ok;
}

void FlashSaleOrderRelay::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            sweep();
        } catch (const std::exception& e) {
            counters_.failed_calls.fetch_add(1, std::memory_order_relaxed);
            report(false, e.what());
        }
        lock.lock();
        wake_.wait_for(lock, settings_.sweep_interval, [this] { return stopping_; });
    }
}

}  // namespace gomall::services
