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

bool FlashSaleOrderRelay::send(const std::vector<domain::Order>& orders, std::vector<std::string>& set_aside) {
    if (orders.empty()) {
        return true;
    }
    const auto taken = intake_.accept(orders);
    if (!taken.ok() && taken.error().code == ErrorCode::kBadRequest) {
        // The order service answered and refused an order of the batch; which one, it does not
        // say (it takes a batch whole or not at all): one at a time finds it, and the rest go on.
        if (orders.size() == 1) {
            put_aside(orders.front(), taken.error());
            set_aside.push_back(orders.front().order_no);
            return true;
        }
        for (const auto& order : orders) {
            if (!send({order}, set_aside)) {
                return false;
            }
        }
        return true;
    }
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
    std::vector<std::string> set_aside;
    for (std::size_t first = 0; first < order_nos.size(); first += step) {
        const auto from = order_nos.begin() + static_cast<std::ptrdiff_t>(first);
        const auto to = order_nos.begin() + static_cast<std::ptrdiff_t>(std::min(order_nos.size(), first + step));
        // A number no longer in the outbox was taken already (another relay's sweep).
        const auto orders = outbox_.find(std::vector<std::string>(from, to));
        if (!send(orders, set_aside)) {
            // Whatever of this batch is still waiting was not taken (a call of the one-at-a-time
            // search may have taken some before one failed).
            std::vector<std::string> batch_numbers;
            batch_numbers.reserve(orders.size());
            for (const auto& order : orders) {
                batch_numbers.push_back(order.order_no);
            }
            std::vector<std::string> left;
            for (const auto& order : outbox_.find(batch_numbers)) {
                left.push_back(order.order_no);
            }
            left.insert(left.end(), set_aside.begin(), set_aside.end());
            left.insert(left.end(), to, order_nos.end());  // not tried: still in the outbox
            return left;
        }
    }
    return set_aside;
}

void FlashSaleOrderRelay::put_aside(const domain::Order& order, const Error& refusal) {
    const std::string why = refusal.field.empty() ? refusal.message : refusal.field + ": " + refusal.message;
    outbox_.set_aside(order.order_no, why, clock_.now());
    counters_.set_aside.fetch_add(1, std::memory_order_relaxed);
    // Every time, not once per state: each is an order an operator must look at.
    spdlog::error(
        "flash-sale order {}: the order service refused it ({}); set aside in the outbox (see docs/operations.md)",
        order.order_no,
        why
    );
}

std::uint64_t FlashSaleOrderRelay::sweep() {
    std::uint64_t sent = 0;
    const int limit = std::max(1, settings_.batch);
    for (;;) {
        const auto orders = outbox_.oldest(clock_.now() - settings_.left_behind_after, limit);
        std::vector<std::string> set_aside;
        if (!send(orders, set_aside)) {
            break;
        }
        sent += orders.size() - set_aside.size();
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
