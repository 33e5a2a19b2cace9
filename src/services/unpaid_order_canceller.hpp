// Background worker that cancels unpaid orders past their deadline, so their units go back on sale.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "ports/tracer.hpp"
#include "services/order_service.hpp"

namespace gomall::services {

class UnpaidOrderCanceller {
public:
    static constexpr int kDefaultBatchSize = 100;

    UnpaidOrderCanceller(
        OrderService& orders, std::chrono::milliseconds sweep_interval, int batch_size = kDefaultBatchSize
    );
    /// Stops the worker if it is still running.
    ~UnpaidOrderCanceller();

    UnpaidOrderCanceller(const UnpaidOrderCanceller&) = delete;
    UnpaidOrderCanceller& operator=(const UnpaidOrderCanceller&) = delete;

    /// Starts the worker thread; the first sweep runs at once. No effect if already running.
    void start();
    /// Wakes the worker, waits for it to finish its current batch and joins. Safe to call twice.
    void stop();

    /// Other periodic repair work that belongs to orders (refunds left processing) runs on this
    /// worker after each sweep, under the same error handling. Set once, before start().
    void also_run(std::function<void()> task) { also_ = std::move(task); }

    /// Each sweep of the worker (with also_run's task) becomes its own trace. Set once, before start().
    void trace_with(ports::Tracer& tracer) { tracer_ = &tracer; }

    /// One sweep: cancels batches until a batch comes back short. Returns how many were cancelled.
    /// Exceptions propagate (the worker logs them); exposed for tests and for a one-off run.
    int sweep();

private:
    void run();

    OrderService& orders_;
    const std::chrono::milliseconds sweep_interval_;
    const int batch_size_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::function<void()> also_;
    ports::NullTracer no_tracer_;
    ports::Tracer* tracer_ = &no_tracer_;
    std::thread worker_;
};

}  // namespace gomall::services
