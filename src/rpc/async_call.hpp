// The client side of the bridge between gRPC's callback API and Asio coroutines: a unary call
// started with `stub->async()->Method(...)` becomes an awaitable that resumes on the awaiting
// coroutine's executor (never on gRPC's own thread), and every call has a deadline.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "rpc/call_metadata.hpp"

namespace gomall::rpc {

/// How a call ended: the status and, when it is OK, the response.
template <class Response>
struct CallOutcome {
    grpc::Status status;
    Response response;
};

/// Starts one unary call through gRPC's callback API and awaits it. `start` is called once with
/// the call's context, request, response and completion callback, and forwards them to the stub:
///
///     co_await async_call<v1::Reservation>(request, call, secret,
///         [&stub](auto* context, auto* request, auto* response, auto done) {
///             stub.async()->Purchase(context, request, response, std::move(done));
///         });
///
/// The context, request and response live in a heap block the completion callback owns, so a
/// coroutine destroyed while its call is in flight (its io_context shut down) leaves nothing
/// dangling for gRPC's thread. The awaiting executor's work count is held until the coroutine is
/// resumed, so its io_context does not run out of work while the call is in flight.
template <class Response, class Request, class Start>
boost::asio::awaitable<CallOutcome<Response>> async_call(
    Request request, const OutgoingCall& call, std::string_view peer_secret, Start start
) {
    struct Pending {
        grpc::ClientContext context;
        Request request;
        Response response;
    };
    auto pending = std::make_shared<Pending>();
    pending->request = std::move(request);
    prepare_context(pending->context, call, peer_secret);

    auto initiate = [pending, start = std::move(start)](auto handler) mutable {
        using Handler = decltype(handler);
        // std::function (what gRPC takes) must be copyable; the coroutine's handler is not.
        struct Resume {
            Handler handler;
            decltype(boost::asio::prefer(
                boost::asio::get_associated_executor(std::declval<Handler&>()),
                boost::asio::execution::outstanding_work.tracked
            )) executor;
        };
        auto executor = boost::asio::prefer(
            boost::asio::get_associated_executor(handler), boost::asio::execution::outstanding_work.tracked
        );
        auto resume = std::make_shared<Resume>(Resume{std::move(handler), std::move(executor)});
        start(
            &pending->context,
            &pending->request,
            &pending->response,
            std::function<void(grpc::Status)>([pending, resume](grpc::Status status) {
                auto outcome = CallOutcome<Response>{std::move(status), std::move(pending->response)};
                auto target = resume->executor;
                boost::asio::post(target, [resume = std::move(resume), outcome = std::move(outcome)]() mutable {
                    std::move(resume->handler)(std::move(outcome));
                });
            })
        );
    };
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(CallOutcome<Response>)>(
        std::move(initiate), boost::asio::use_awaitable
    );
}

}  // namespace gomall::rpc
