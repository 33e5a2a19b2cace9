// The queue and the in-flight count of one instance's purchase batches.
#include "rpc/purchase_batcher.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gomall::rpc {

namespace asio = boost::asio;

PurchaseBatcher::PurchaseBatcher(Send send, PurchaseBatcherSettings settings) : state_(std::make_shared<State>()) {
    state_->send = std::move(send);
    state_->settings = settings;
    if (state_->settings.max_batch == 0) {
        state_->settings.max_batch = 1;
    }
    if (state_->settings.max_in_flight == 0) {
        state_->settings.max_in_flight = 1;
    }
}

asio::awaitable<BatchedOutcome> PurchaseBatcher::purchase(v1::PurchaseBatchItem item) {
    const auto deadline = std::chrono::steady_clock::now() + state_->settings.timeout;
    auto initiate = [this, deadline, item = std::move(item)](auto handler) mutable {
        using Handler = decltype(handler);
        // std::function must be copyable; the coroutine's handler is not. The work guard keeps
        // the awaiting io_context running while the purchase queues or flies.
        struct Resume {
            Handler handler;
            decltype(asio::prefer(
                asio::get_associated_executor(std::declval<Handler&>()), asio::execution::outstanding_work.tracked
            )) executor;
        };
        auto executor = asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        auto resume = std::make_shared<Resume>(Resume{std::move(handler), std::move(executor)});
        enqueue(Waiting{std::move(item), deadline, [resume](BatchedOutcome outcome) {
                            auto target = resume->executor;
                            asio::post(target, [resume, outcome = std::move(outcome)]() mutable {
                                std::move(resume->handler)(std::move(outcome));
                            });
                        }});
    };
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(BatchedOutcome)>(
        std::move(initiate), asio::use_awaitable
    );
}

void PurchaseBatcher::enqueue(Waiting waiting) {
    std::unique_lock lock(state_->mutex);
    state_->queue.push_back(std::move(waiting));
    flush(state_, std::move(lock));
}

void PurchaseBatcher::flush(const std::shared_ptr<State>& state, std::unique_lock<std::mutex> lock) {
    while (state->in_flight < state->settings.max_in_flight && !state->queue.empty()) {
        const auto now = std::chrono::steady_clock::now();
        std::vector<std::function<void(BatchedOutcome)>> resumes;
        std::vector<std::function<void(BatchedOutcome)>> expired;
        v1::PurchaseBatchRequest request;
        auto deadline = std::chrono::steady_clock::time_point::max();
        while (!state->queue.empty() && resumes.size() < state->settings.max_batch) {
            Waiting next = std::move(state->queue.front());
            state->queue.pop_front();
            if (next.deadline <= now) {
                expired.push_back(std::move(next.resume));
                continue;
            }
            deadline = std::min(deadline, next.deadline);
            *request.add_items() = std::move(next.item);
            resumes.push_back(std::move(next.resume));
        }
        if (!resumes.empty()) {
            ++state->in_flight;
        }
        lock.unlock();
        for (auto& resume : expired) {
            resume(BatchedOutcome{
                grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "waited for a batch past its deadline"), {}});
        }
        if (!resumes.empty()) {
            state->send(
                std::move(request),
                deadline,
                [state, resumes = std::move(resumes)](grpc::Status status, v1::PurchaseBatchResponse response) {
                    if (status.ok() && response.outcomes_size() != static_cast<int>(resumes.size())) {
                        status = grpc::Status(grpc::StatusCode::INTERNAL, "the batch's answer has the wrong length");
                    }
                    for (std::size_t i = 0; i < resumes.size(); ++i) {
                        BatchedOutcome outcome{status, {}};
                        if (status.ok()) {
                            outcome.outcome = std::move(*response.mutable_outcomes(static_cast<int>(i)));
                        }
                        resumes[i](std::move(outcome));
                    }
                    std::unique_lock relock(state->mutex);
                    --state->in_flight;
                    flush(state, std::move(relock));
                }
            );
        }
        lock.lock();
    }
}

}  // namespace gomall::rpc
