// A publisher parked until the broker confirms its message: the type-erased completion handler
// of one publish(), resumed on the awaiting coroutine's own executor.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace gomall::adapters::rabbitmq {

class PublishWaiter {
public:
    virtual ~PublishWaiter() = default;
    /// Resumes the publisher with `error` (null: confirmed). Called exactly once, from any thread.
    virtual void complete(std::exception_ptr error) = 0;
};

template <class Handler>
class HandlerPublishWaiter final : public PublishWaiter {
public:
    // Tracking work keeps an io_context whose only business is a waiting publish from returning.
    explicit HandlerPublishWaiter(Handler handler)
        : handler_(std::move(handler)),
          executor_(boost::asio::prefer(
              boost::asio::get_associated_executor(handler_), boost::asio::execution::outstanding_work.tracked
          )) {}

    void complete(std::exception_ptr error) override {
        // Posted, never run inline: the caller may be the publisher thread or an I/O thread holding locks.
        boost::asio::post(executor_, [handler = std::move(handler_), error]() mutable { std::move(handler)(error); });
    }

private:
    using TrackedExecutor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<boost::asio::associated_executor_t<Handler>>(), boost::asio::execution::outstanding_work.tracked
    ))>;

    Handler handler_;
    TrackedExecutor executor_;
};

}  // namespace gomall::adapters::rabbitmq
