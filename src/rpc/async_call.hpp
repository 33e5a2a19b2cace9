// The client side of the bridge between gRPC's callback API and Asio coroutines: a unary call
// started with `stub->async()->Method(...)` becomes an awaitable that resumes on the awaiting
// coroutine's executor (never on gRPC's own thread), and every call has a deadline.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "rpc/call_metadata.hpp"
#include "rpc/resume_on_own_executor.hpp"

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
        auto resume = resume_on_own_executor<CallOutcome<Response>>(std::move(handler));
        start(
            &pending->context,
            &pending->request,
            &pending->response,
            std::function<void(grpc::Status)>([pending, resume = std::move(resume)](grpc::Status status) {
                resume(CallOutcome<Response>{std::move(status), std::move(pending->response)});
            })
        );
    };
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(CallOutcome<Response>)>(
        std::move(initiate), boost::asio::use_awaitable
    );
}

}  // namespace gomall::rpc
