// Implementation of the unpaid order canceller.
#include "services/unpaid_order_canceller.hpp"

#include <exception>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace gomall::services {

UnpaidOrderCanceller::UnpaidOrderCanceller(
    OrderService& orders, std::chrono::milliseconds sweep_interval, int batch_size
)
    : orders_(orders), sweep_interval_(sweep_interval), batch_size_(batch_size) {
    if (sweep_interval_.count() <= 0 || batch_size_ <= 0) {
        throw std::invalid_argument("unpaid order canceller needs a positive sweep interval and batch size");
    }
}

UnpaidOrderCanceller::~UnpaidOrderCanceller() {
    stop();
}

void UnpaidOrderCanceller::start() {
    std::lock_guard lock(mutex_);
    if (worker_.joinable()) {
        return;
    }
    stopping_ = false;
    worker_ = std::thread([this] { run(); });
}

void UnpaidOrderCanceller::stop() {
    std::thread worker;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        worker = std::move(worker_);
    }
    wake_.notify_all();
    // Join outside the lock: the worker takes the lock to check stopping_.
    if (worker.joinable()) {
        worker.join();
    }
}

int UnpaidOrderCanceller::sweep() {
    int total = 0;
    for (;;) {
        const int cancelled = orders_.cancel_expired(batch_size_);
        total += cancelled;
        // A short batch means the backlog is drained. Orders that could not be cancelled (paid
        // in between) also make it short, so this cannot spin on them.
        if (cancelled < batch_size_) {
            break;
        }
        std::lock_guard lock(mutex_);
        if (stopping_) {
            break;
        }
    }
    return total;
}

void UnpaidOrderCanceller::run() {
    spdlog::info("unpaid order canceller started (every {} ms)", sweep_interval_.count());
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        {
            auto span = tracer_->start_root("unpaid order sweep", ports::SpanKind::kInternal);
            const ActiveTrace::Scope trace_scope(span.context());
            try {
                const int cancelled = sweep();
                span.set_attribute("gomall.orders_cancelled", cancelled);
                if (cancelled > 0) {
                    spdlog::info("cancelled {} expired unpaid order(s)", cancelled);
                }
                if (also_) {
                    also_();
                }
            } catch (const std::exception& e) {
                span.set_error(e.what());
                spdlog::error("unpaid order sweep failed: {}", e.what());
            } catch (...) {
                span.set_error("unknown exception");
                spdlog::error("unpaid order sweep failed with an unknown exception");
            }
        }
        lock.lock();
        wake_.wait_for(lock, sweep_interval_, [this] { return stopping_; });
    }
    spdlog::info("unpaid order canceller stopped");
}

}  // namespace gomall::services
