// Purchases to one seckill instance, sent in batches: a purchase that arrives while the instance
// already has `max_in_flight` batch calls of this gateway in flight waits for one of them to end
// and then leaves with everything that queued meanwhile (up to `max_batch`). Under a crowd the
// per-call cost of gRPC (context, metadata, deadline, HTTP/2 stream, thread hops) is paid once per
// batch instead of once per shopper; a lone purchase still leaves at once, as a batch of one.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <boost/asio/awaitable.hpp>
#include <grpcpp/support/status.h>

#include "gomall/v1/seckill.pb.h"

namespace gomall::rpc {

struct PurchaseBatcherSettings {
    std::size_t max_batch = 256;              // purchases in one call
    std::size_t max_in_flight = 4;            // batch calls at once to one instance
    std::chrono::milliseconds timeout{1000};  // from a purchase's arrival to its answer
};

/// What one purchase of a batch got: the batch call's status and, when it is OK, this purchase's
/// outcome.
struct BatchedOutcome {
    grpc::Status status;
    v1::PurchaseOutcome outcome;
};

class PurchaseBatcher {
public:
    /// Called exactly once per batch, on any thread, with the call's status and answer.
    using Done = std::function<void(grpc::Status, v1::PurchaseBatchResponse)>;
    /// Starts one batch call that must end by `deadline` (the earliest of its purchases').
    using Send = std::function<void(v1::PurchaseBatchRequest, std::chrono::steady_clock::time_point deadline, Done)>;

    PurchaseBatcher(Send send, PurchaseBatcherSettings settings);
    PurchaseBatcher(const PurchaseBatcher&) = delete;
    PurchaseBatcher& operator=(const PurchaseBatcher&) = delete;

    /// Resumes on the awaiting coroutine's executor. A purchase whose time runs out while it
    /// queues is answered DEADLINE_EXCEEDED without being sent (so it took no unit).
    boost::asio::awaitable<BatchedOutcome> purchase(v1::PurchaseBatchItem item);

private:
    struct Waiting {
        v1::PurchaseBatchItem item;
        std::chrono::steady_clock::time_point deadline;
        std::function<void(BatchedOutcome)> resume;
    };
    struct State {
        Send send;
        PurchaseBatcherSettings settings;
        std::mutex mutex;
        std::deque<Waiting> queue;  // guarded by mutex
        std::size_t in_flight = 0;  // guarded by mutex
    };

    void enqueue(Waiting waiting);
    /// Sends batches while the in-flight limit allows; takes the held lock, returns unlocked.
    static void flush(const std::shared_ptr<State>& state, std::unique_lock<std::mutex> lock);

    std::shared_ptr<State> state_;  // shared with the completions of calls in flight
};

}  // namespace gomall::rpc
