// Group commit for flash-sale reservations: publishers park as Asio completion handlers, one
// writer thread turns whatever has accumulated into a single ReservationWriter::write call.
#include "adapters/memory/embedded_reservation_queue.hpp"

#include <stdexcept>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gomall::adapters::memory {

namespace asio = boost::asio;

// Holds the publisher's handler and keeps its executor marked as having work, so an io_context
// whose only business is a coroutine waiting for a commit does not run out of work and return.
template <class Handler>
class EmbeddedReservationQueue::HandlerWaiter final : public Waiter {
public:
    explicit HandlerWaiter(Handler handler)
        : handler_(std::move(handler)),
          executor_(asio::prefer(asio::get_associated_executor(handler_), asio::execution::outstanding_work.tracked)) {}

    void complete(std::exception_ptr error) override {
        // Posted, never run here: the publisher resumes on its own executor, not the writer thread.
        asio::post(executor_, [handler = std::move(handler_), error]() mutable { std::move(handler)(error); });
    }

private:
    Handler handler_;
    std::decay_t<decltype(asio::prefer(
        std::declval<asio::associated_executor_t<Handler>>(), asio::execution::outstanding_work.tracked
    ))>
        executor_;
};

EmbeddedReservationQueue::EmbeddedReservationQueue(ports::ReservationWriter& writer, EmbeddedQueueSettings settings)
    : order_writer_(writer), settings_(std::move(settings)) {
    if (settings_.max_batch == 0) {
        throw std::invalid_argument("EmbeddedQueueSettings::max_batch must be positive");
    }
}

EmbeddedReservationQueue::~EmbeddedReservationQueue() {
    stop();
}

void EmbeddedReservationQueue::start() {
    const std::lock_guard lock(mutex_);
    if (stopping_) {
        throw std::logic_error("the reservation queue was stopped and cannot be restarted");
    }
    if (!writer_.joinable()) {
        writer_ = std::thread([this] { run(); });
    }
}

void EmbeddedReservationQueue::stop() {
    std::deque<Entry> orphans;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        if (!writer_.joinable()) {
            orphans.swap(pending_);  // never started: nobody will commit these
        }
    }
    work_ready_.notify_all();
    if (writer_.joinable()) {
        writer_.join();  // the writer drains the queue before it exits
    }
    if (!orphans.empty()) {
        const auto error = std::make_exception_ptr(std::runtime_error("the reservation queue was never started"));
        for (Entry& entry : orphans) {
            entry.waiter->complete(error);
        }
    }
}

void EmbeddedReservationQueue::on_outcome(std::function<void(const domain::Reservation&)> listener) {
    const std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
}

asio::awaitable<void> EmbeddedReservationQueue::publish(domain::Reservation reservation) {
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr)>(
        [this](auto handler, domain::Reservation&& r) {
            using Handler = decltype(handler);
            enqueue(std::move(r), std::make_unique<HandlerWaiter<Handler>>(std::move(handler)));
        },
        asio::use_awaitable,
        std::move(reservation)
    );
}

void EmbeddedReservationQueue::enqueue(domain::Reservation reservation, std::unique_ptr<Waiter> waiter) {
    {
        const std::lock_guard lock(mutex_);
        if (!stopping_) {
            pending_.push_back({std::move(reservation), std::move(waiter)});
            // One wake-up per batch is enough: the writer is either idle (queue was empty) or
            // lingering for a full batch; otherwise it takes the rest after its current commit.
            if (pending_.size() == 1 || pending_.size() == settings_.max_batch) {
                work_ready_.notify_one();
            }
            return;
        }
    }
    waiter->complete(std::make_exception_ptr(std::runtime_error("the reservation queue is stopping")));
}

void EmbeddedReservationQueue::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        work_ready_.wait(lock, [this] { return !pending_.empty() || stopping_; });
        if (pending_.empty()) {
            return;  // stopping, and everything queued has been committed
        }
        if (settings_.linger.count() > 0 && pending_.size() < settings_.max_batch && !stopping_) {
            work_ready_.wait_for(lock, settings_.linger, [this] {
                return pending_.size() >= settings_.max_batch || stopping_;
            });
        }
        std::vector<Entry> batch;
        const std::size_t take = std::min(pending_.size(), settings_.max_batch);
        batch.reserve(take);
        for (std::size_t i = 0; i < take; ++i) {
            batch.push_back(std::move(pending_.front()));
            pending_.pop_front();
        }
        lock.unlock();
        commit(batch);
        lock.lock();
    }
}

void EmbeddedReservationQueue::commit(std::vector<Entry>& batch) {
    std::vector<domain::Reservation> reservations;
    reservations.reserve(batch.size());
    for (const Entry& entry : batch) {
        reservations.push_back(entry.reservation);
    }
    const auto started = std::chrono::steady_clock::now();
    auto took = [&started] {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    };

    // The batch's SQL runs under the first sampled purchase of the batch (it is one transaction for
    // all of them), so a purchase's trace shows the commit it waited for.
    TraceContext batch_trace;
    for (const Entry& entry : batch) {
        if (entry.reservation.trace.valid() && entry.reservation.trace.sampled) {
            batch_trace = entry.reservation.trace;
            break;
        }
    }
    const ActiveTrace::Scope trace_scope(batch_trace);

    std::vector<domain::Reservation> outcomes;
    std::exception_ptr error;
    try {
        outcomes = order_writer_.write(std::move(reservations));
    } catch (...) {
        error = std::current_exception();
    }
    if (settings_.on_batch) {
        settings_.on_batch(batch.size(), took(), error == nullptr);
    }

    if (!error) {
        std::function<void(const domain::Reservation&)> listener;
        {
            const std::lock_guard lock(mutex_);
            listener = listener_;
        }
        // Before the waiters resume, so a publisher that returns can rely on its outcome being known.
        if (listener) {
            for (const domain::Reservation& outcome : outcomes) {
                try {
                    listener(outcome);
                } catch (...) {  // NOLINT(bugprone-empty-catch): one bad listener call must not fail the batch
                }
            }
        }
    }
    for (Entry& entry : batch) {
        entry.waiter->complete(error);
    }
}

}  // namespace gomall::adapters::memory
