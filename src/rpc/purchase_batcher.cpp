// The queue and the in-flight count of one instance's purchase batches.
#include "rpc/purchase_batcher.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "rpc/resume_on_own_executor.hpp"

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
        enqueue(Waiting{std::move(item), deadline, resume_on_own_executor<BatchedOutcome>(std::move(handler))});
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
