// Runs a batch's purchases concurrently on the service's I/O threads: each writes only its own
// slot of the answer (made before any starts, so the repeated field never reallocates), and the
// last one to finish resumes the call.
#include "rpc/purchase_batch_runner.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/trace_context.hpp"
#include "rpc/resume_on_own_executor.hpp"
#include "rpc/seckill_messages.hpp"
#include "rpc/status_mapping.hpp"

namespace gomall::rpc {
namespace {

namespace asio = boost::asio;

/// How many purchases are still running, and who to resume when none is.
struct Batch {
    std::mutex mutex;
    std::size_t left = 0;             // guarded by mutex
    std::function<void()> when_done;  // guarded by mutex; set once the call awaits

    void one_done() {
        std::function<void()> resume;
        {
            const std::lock_guard lock(mutex);
            if (--left == 0) {
                resume = std::move(when_done);
            }
        }
        if (resume) {
            resume();
        }
    }
};

void refuse(v1::PurchaseOutcome& outcome, const Error& error) {
    *outcome.mutable_error() = to_error_detail(error);
}

asio::awaitable<void> purchase_one(
    services::FlashSalePurchases& purchases, const v1::PurchaseBatchItem& item, v1::PurchaseOutcome& outcome
) {
    if (item.user_id() <= 0) {
        refuse(outcome, make_error(ErrorCode::kUnauthorized, "the purchase names no signed-in user"));
        co_return;
    }
    const TraceContext trace = parse_traceparent(item.traceparent()).value_or(TraceContext{});
    auto bought = co_await purchases.purchase(item.user_id(), item.product_id(), item.token(), trace);
    if (bought.ok()) {
        to_message(bought.value(), *outcome.mutable_reservation());
    } else {
        refuse(outcome, bought.error());
    }
}

}  // namespace

asio::awaitable<void> run_purchase_batch(
    services::FlashSalePurchases& purchases,
    const v1::PurchaseBatchRequest& request,
    v1::PurchaseBatchResponse& response,
    asio::any_io_executor io
) {
    const auto items = static_cast<std::size_t>(request.items_size());
    for (std::size_t i = 0; i < items; ++i) {
        response.add_outcomes();
    }
    if (items == 0) {
        co_return;
    }
    auto batch = std::make_shared<Batch>();
    batch->left = items;
    for (std::size_t i = 0; i < items; ++i) {
        const auto& item = request.items(static_cast<int>(i));
        auto& outcome = *response.mutable_outcomes(static_cast<int>(i));
        asio::co_spawn(io, purchase_one(purchases, item, outcome), [batch, &outcome](const std::exception_ptr& error) {
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    spdlog::error("a purchase of a batch failed: {}", e.what());
                } catch (...) {
                    spdlog::error("a purchase of a batch failed");
                }
                refuse(outcome, make_error(ErrorCode::kSeckillBusy, "the flash sale is busy, please try again"));
            }
            batch->one_done();
        });
    }
    auto initiate = [batch](auto handler) {
        auto resume = resume_on_own_executor<>(std::move(handler));
        std::unique_lock lock(batch->mutex);
        if (batch->left == 0) {
            lock.unlock();
            resume();
        } else {
            batch->when_done = std::move(resume);
        }
    };
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(std::move(initiate), asio::use_awaitable);
}

}  // namespace gomall::rpc
