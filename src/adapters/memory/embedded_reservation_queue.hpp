// The embedded-mode reservation queue: an in-process group commit. Concurrent publishers share
// one database transaction, and each is told "done" only once the batch holding it is committed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ports/reservation_queue.hpp"
#include "ports/reservation_writer.hpp"

namespace gomall::adapters::memory {

struct EmbeddedQueueSettings {
    /// Most reservations committed in one transaction.
    std::size_t max_batch = 512;
    /// How long the writer waits for more reservations after the first one of a batch arrives
    /// (zero: commit at once). A burst then fills the first batch instead of committing one alone.
    std::chrono::microseconds linger{1000};
    /// Called on the writer thread after every batch with its size and how long the commit took
    /// (including a failed one), e.g. to log at debug level or feed a metric. Optional.
    std::function<void(std::size_t batch_size, std::chrono::microseconds took, bool committed)> on_batch;
};

/// start() launches the writer thread; stop() (also run by the destructor) refuses new publishes,
/// commits everything already queued, completes its waiters and joins the thread.
class EmbeddedReservationQueue final : public ports::ReservationQueue {
public:
    /// Each batch is one `writer.write()` call on the writer thread. There is no give-up here: a
    /// failed commit fails every publish of the batch, whose units the service returns at once.
    explicit EmbeddedReservationQueue(ports::ReservationWriter& writer, EmbeddedQueueSettings settings = {});
    EmbeddedReservationQueue(const EmbeddedReservationQueue&) = delete;
    EmbeddedReservationQueue& operator=(const EmbeddedReservationQueue&) = delete;
    ~EmbeddedReservationQueue() override;

    /// Idempotent while running; throws std::logic_error after stop().
    void start();
    /// Idempotent. Publishes still queued when the queue was never started fail with an exception.
    void stop();

    /// Completes on the awaiting coroutine's executor once the batch holding the reservation is
    /// committed (after the outcome listener has seen it); throws what the writer threw when the commit
    /// failed, and std::runtime_error once the queue is stopping.
    boost::asio::awaitable<void> publish(domain::Reservation reservation) override;
    void on_outcome(std::function<void(const domain::Reservation&)> listener) override;

private:
    /// The type-erased completion handler of one publish.
    class Waiter {
    public:
        virtual ~Waiter() = default;
        /// Resumes the publisher on its own executor with `error` (null on success). Called once.
        virtual void complete(std::exception_ptr error) = 0;
    };
    template <class Handler>
    class HandlerWaiter;

    struct Entry {
        domain::Reservation reservation;
        std::unique_ptr<Waiter> waiter;
    };

    void enqueue(domain::Reservation reservation, std::unique_ptr<Waiter> waiter);
    void run();
    void commit(std::vector<Entry>& batch);

    ports::ReservationWriter& order_writer_;
    const EmbeddedQueueSettings settings_;

    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::deque<Entry> pending_;                                 // guarded by mutex_
    bool stopping_ = false;                                     // guarded by mutex_
    std::function<void(const domain::Reservation&)> listener_;  // guarded by mutex_
    std::thread writer_;
};

}  // namespace gomall::adapters::memory
