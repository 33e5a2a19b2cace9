// The server side of the bridge: a gRPC callback-API handler (ServerUnaryReactor) whose work runs
// as an Asio coroutine on a given executor, as a blocking function on a given executor (the
// blocking pool), or inline on gRPC's thread when it only reads memory. Each checks the peer
// secret first and answers a handler that throws with status_of_exception(). A reactor finishes
// only when its work has run: shut the gRPC server down before the executors stop.
#pragma once

#include <exception>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include "core/error.hpp"
#include "core/trace_context.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/status_mapping.hpp"

namespace gomall::rpc {

/// The refusal of a call that needs a signed-in user and names none in its metadata.
inline Error missing_user() {
    return make_error(ErrorCode::kUnauthorized, "the call names no signed-in user");
}

/// OK with the response filled from the value by `fill`, or the business error.
template <class T, class Fill>
grpc::Status answer(const Result<T>& result, Fill fill) {
    if (!result.ok()) {
        return to_grpc_status(result.error());
    }
    fill(result.value());
    return grpc::Status::OK;
}

/// OK, or the business error.
inline grpc::Status answer(const Status& status) {
    return status.ok() ? grpc::Status::OK : to_grpc_status(status.error());
}

/// Finishes the call at once when the caller lacks the peer secret; returns the reactor then.
inline grpc::ServerUnaryReactor* refused_reactor(grpc::CallbackServerContext* context, const PeerSecret& peer) {
    if (auto refusal = peer.refuse(*context)) {
        grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
        reactor->Finish(*refusal);
        return reactor;
    }
    return nullptr;
}

/// Runs a handler that returns grpc::Status; one that throws is answered status_of_exception().
template <class Handler>
grpc::Status status_of_run(Handler& handler) {
    try {
        return handler();
    } catch (...) {
        return status_of_exception(std::current_exception());
    }
}

/// `handler`: a callable returning boost::asio::awaitable<grpc::Status>, run on `executor` (an
/// I/O thread: it must not block). The reactor finishes when the coroutine completes. The
/// request and response the handler captures stay valid until then (gRPC keeps them until Finish).
template <class Handler>
grpc::ServerUnaryReactor* serve_coroutine(
    grpc::CallbackServerContext* context,
    const PeerSecret& peer,
    const boost::asio::any_io_executor& executor,
    Handler handler
) {
    if (auto* refused = refused_reactor(context, peer)) {
        return refused;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    boost::asio::co_spawn(
        executor,
        std::move(handler),
        [reactor](const std::exception_ptr& error, grpc::Status status) {
            reactor->Finish(error ? status_of_exception(error) : std::move(status));
        }
    );
    return reactor;
}

/// `handler`: a callable returning grpc::Status that may block (the database), run on `pool` with
/// the caller's traceparent as the thread's active span.
template <class Handler>
grpc::ServerUnaryReactor* serve_blocking(
    grpc::CallbackServerContext* context,
    const PeerSecret& peer,
    const boost::asio::any_io_executor& pool,
    Handler handler
) {
    if (auto* refused = refused_reactor(context, peer)) {
        return refused;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    boost::asio::post(pool, [reactor, trace = caller_of(*context).trace, handler = std::move(handler)]() mutable {
        // The caller's span is the active one while the handler runs, so the statements it makes
        // join the caller's trace (as they join a request's in process).
        const ActiveTrace::Scope scope(trace);
        reactor->Finish(status_of_run(handler));
    });
    return reactor;
}

/// `handler`: a callable returning grpc::Status that only reads memory, run on gRPC's thread.
template <class Handler>
grpc::ServerUnaryReactor* serve_inline(grpc::CallbackServerContext* context, const PeerSecret& peer, Handler handler) {
    if (auto* refused = refused_reactor(context, peer)) {
        return refused;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status_of_run(handler));
    return reactor;
}

}  // namespace gomall::rpc
