// The gateway's purchase batches to one instance, with the call replaced by a recorder the test
// answers by hand: when batches leave, what they hold, and what each purchase hears back.
#include "rpc/purchase_batcher.hpp"

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

/// The batches sent so far, each with its completion still to call.
struct SentBatches {
    struct Batch {
        v1::PurchaseBatchRequest request;
        std::chrono::steady_clock::time_point deadline;
        PurchaseBatcher::Done done;
    };
    std::mutex mutex;
    std::vector<Batch> batches;

    PurchaseBatcher::Send sender() {
        return [this](v1::PurchaseBatchRequest request, std::chrono::steady_clock::time_point deadline, auto done) {
            const std::lock_guard lock(mutex);
            batches.push_back(Batch{std::move(request), deadline, std::move(done)});
        };
    }
    std::size_t count() {
        const std::lock_guard lock(mutex);
        return batches.size();
    }
    /// Waits until `n` batches were sent (the purchases are started on another thread).
    bool wait_for(std::size_t n) {
        for (int i = 0; i < 500 && count() < n; ++i) {
            std::this_thread::sleep_for(2ms);
        }
        return count() >= n;
    }
    Batch take(std::size_t index) {
        const std::lock_guard lock(mutex);
        return std::move(batches.at(index));
    }
};

/// Answers every item of a batch with a reservation whose id is "r<user id>".
v1::PurchaseBatchResponse reserved_for_each(const v1::PurchaseBatchRequest& request) {
    v1::PurchaseBatchResponse response;
    for (const auto& item : request.items()) {
        response.add_outcomes()->mutable_reservation()->set_id("r" + std::to_string(item.user_id()));
    }
    return response;
}

class PurchaseBatcherTest : public ::testing::Test {
protected:
    ~PurchaseBatcherTest() override {
        work_.reset();
        io_thread_.join();
    }

    void make(PurchaseBatcherSettings settings) {
        batcher_ = std::make_unique<PurchaseBatcher>(sent_.sender(), settings);
    }

    std::future<BatchedOutcome> buy(std::int64_t user) {
        v1::PurchaseBatchItem item;
        item.set_user_id(user);
        item.set_product_id(7);
        return asio::co_spawn(io_, batcher_->purchase(std::move(item)), asio::use_future);
    }

    /// Purchases by users `from`..`to` while the first call is still unanswered, given a moment to
    /// reach the queue.
    std::vector<std::future<BatchedOutcome>> buy_while_held(std::int64_t from, std::int64_t to) {
        std::vector<std::future<BatchedOutcome>> queued;
        for (std::int64_t user = from; user <= to; ++user) {
            queued.push_back(buy(user));
        }
        std::this_thread::sleep_for(20ms);
        return queued;
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
    std::thread io_thread_{[this] {
        io_.run();
    }};
    SentBatches sent_;
    std::unique_ptr<PurchaseBatcher> batcher_;
};

TEST_F(PurchaseBatcherTest, ALonePurchaseLeavesAtOnceAsABatchOfOne) {
    make({});
    auto answer = buy(101);
    ASSERT_TRUE(sent_.wait_for(1));
    auto batch = sent_.take(0);
    ASSERT_EQ(batch.request.items_size(), 1);
    EXPECT_EQ(batch.request.items(0).user_id(), 101);
    EXPECT_EQ(batch.request.items(0).product_id(), 7);
    const auto left = batch.deadline - std::chrono::steady_clock::now();
    EXPECT_GT(left, 500ms);
    EXPECT_LE(left, 1000ms) << "the purchase's own timeout bounds the call";
    batch.done(grpc::Status::OK, reserved_for_each(batch.request));
    const auto outcome = answer.get();
    EXPECT_TRUE(outcome.status.ok());
    EXPECT_EQ(outcome.outcome.reservation().id(), "r101");
}

TEST_F(PurchaseBatcherTest, PurchasesThatArriveWhileTheCallsAreInFlightLeaveTogetherAndHearTheirOwnAnswers) {
    PurchaseBatcherSettings settings;
    settings.max_in_flight = 1;
    make(settings);
    auto first = buy(1);
    ASSERT_TRUE(sent_.wait_for(1));
    auto queued = buy_while_held(2, 6);
    EXPECT_EQ(sent_.count(), 1U) << "nothing more leaves while the one call allowed is in flight";

    auto batch = sent_.take(0);
    batch.done(grpc::Status::OK, reserved_for_each(batch.request));
    EXPECT_EQ(first.get().outcome.reservation().id(), "r1");
    ASSERT_TRUE(sent_.wait_for(2));
    auto second = sent_.take(1);
    ASSERT_EQ(second.request.items_size(), 5) << "the five that queued leave as one batch";
    // Answered out of the order of arrival on purpose: each purchase hears the outcome in its slot.
    v1::PurchaseBatchResponse response = reserved_for_each(second.request);
    *response.mutable_outcomes(2)->mutable_error() = v1::ErrorDetail();
    response.mutable_outcomes(2)->mutable_error()->set_code(60002);
    second.done(grpc::Status::OK, response);
    for (std::size_t i = 0; i < queued.size(); ++i) {
        const auto outcome = queued[i].get();
        ASSERT_TRUE(outcome.status.ok());
        if (i == 2) {
            EXPECT_EQ(outcome.outcome.error().code(), 60002);
        } else {
            EXPECT_EQ(outcome.outcome.reservation().id(), "r" + std::to_string(i + 2));
        }
    }
}

TEST_F(PurchaseBatcherTest, ABatchIsNeverLargerThanMaxBatch) {
    PurchaseBatcherSettings settings;
    settings.max_in_flight = 1;
    settings.max_batch = 2;
    make(settings);
    auto first = buy(1);
    ASSERT_TRUE(sent_.wait_for(1));
    auto queued = buy_while_held(2, 6);
    for (std::size_t i = 0; i < 4; ++i) {
        ASSERT_TRUE(sent_.wait_for(i + 1));
        auto batch = sent_.take(i);
        EXPECT_LE(batch.request.items_size(), 2);
        batch.done(grpc::Status::OK, reserved_for_each(batch.request));
    }
    for (auto& answer : queued) {
        EXPECT_TRUE(answer.get().status.ok());
    }
    EXPECT_EQ(sent_.count(), 4U) << "1, then 2 + 2 + 1";
}

TEST_F(PurchaseBatcherTest, AFailedCallIsEveryPurchaseOfItsBatchFailing) {
    PurchaseBatcherSettings settings;
    settings.max_in_flight = 1;
    make(settings);
    auto first = buy(1);
    ASSERT_TRUE(sent_.wait_for(1));
    auto second = buy(2);
    auto third = buy(3);
    std::this_thread::sleep_for(20ms);
    sent_.take(0).done(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"), {});
    EXPECT_EQ(first.get().status.error_code(), grpc::StatusCode::UNAVAILABLE);
    ASSERT_TRUE(sent_.wait_for(2));
    auto batch = sent_.take(1);
    ASSERT_EQ(batch.request.items_size(), 2);
    batch.done(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "too slow"), {});
    EXPECT_EQ(second.get().status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    EXPECT_EQ(third.get().status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(PurchaseBatcherTest, AnAnswerOfTheWrongLengthFailsTheWholeBatch) {
    make({});
    auto answer = buy(1);
    ASSERT_TRUE(sent_.wait_for(1));
    sent_.take(0).done(grpc::Status::OK, v1::PurchaseBatchResponse());
    EXPECT_EQ(answer.get().status.error_code(), grpc::StatusCode::INTERNAL);
}

TEST_F(PurchaseBatcherTest, APurchaseWhoseTimeRanOutWhileQueuedIsNotSent) {
    PurchaseBatcherSettings settings;
    settings.max_in_flight = 1;
    settings.timeout = 50ms;
    make(settings);
    auto first = buy(1);
    ASSERT_TRUE(sent_.wait_for(1));
    auto late = buy(2);
    std::this_thread::sleep_for(100ms);
    auto fresh = buy(3);
    std::this_thread::sleep_for(10ms);
    auto held = sent_.take(0);
    held.done(grpc::Status::OK, reserved_for_each(held.request));
    EXPECT_TRUE(first.get().status.ok());
    EXPECT_EQ(late.get().status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
    ASSERT_TRUE(sent_.wait_for(2));
    auto batch = sent_.take(1);
    ASSERT_EQ(batch.request.items_size(), 1) << "only the purchase still in time leaves";
    EXPECT_EQ(batch.request.items(0).user_id(), 3);
    batch.done(grpc::Status::OK, reserved_for_each(batch.request));
    EXPECT_TRUE(fresh.get().status.ok());
}

}  // namespace
}  // namespace gomall::rpc
