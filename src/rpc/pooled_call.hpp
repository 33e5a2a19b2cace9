// Calls to the instances of one role: choose an instance whose circuit breaker lets the call
// through (round robin, or pinned to a key), and make a blocking call with its deadline and
// metadata that tells the breaker whether the service answered. Shared by the clients of every
// role, so that each treats instances, breakers and retries the same way.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "core/error.hpp"
#include "core/trace_context.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/status_mapping.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::rpc {

/// One call's instance, its stubs (`Stubs`: what the pool's StubFactory made) and its breaker's
/// permit. The target keeps the stubs alive for as long as the call runs, even if the instance
/// leaves the set meanwhile.
template <class Stubs>
struct PickedInstance {
    std::shared_ptr<Target> target;
    Stubs* stubs = nullptr;
    std::optional<services::CircuitBreaker::Call> permit;

    /// The breaker of this instance hears whether the service answered: only a call that reached
    /// no answer is a failure; a business error the service sent is a success.
    void report(const grpc::Status& status) {
        if (!permit) {
            return;
        }
        if (transport_failed(status)) {
            permit->failed();
        } else {
            permit->succeeded();
        }
        permit.reset();
    }
};

/// Which instance a call goes to: round robin (the default), or the one InstancePool::pick_for
/// keeps for `key` (a shopper's result calls, followed on one instance). Plain fields rather than
/// an optional: GCC's -O3 flags a copied std::optional<integer> as maybe-uninitialized.
struct InstanceChoice {
    bool pinned = false;
    std::uint64_t key = 0;

    static InstanceChoice for_key(std::uint64_t k) { return InstanceChoice{true, k}; }
};

/// An instance whose breaker lets a call through, as `choice` says. nullopt when none does (or
/// none is known).
template <class Stubs>
std::optional<PickedInstance<Stubs>> pick_instance(InstancePool& pool, InstanceChoice choice = {}) {
    for (std::size_t tried = 0, known = std::max<std::size_t>(pool.size(), 1); tried < known; ++tried) {
        auto target = choice.pinned ? pool.pick_for(choice.key) : pool.pick();
        if (!target) {
            return std::nullopt;
        }
        auto permit = target->breaker->try_call();
        if (permit) {
            auto* stubs = static_cast<Stubs*>(target->stubs.get());
            return PickedInstance<Stubs>{std::move(target), stubs, std::move(permit)};
        }
    }
    return std::nullopt;
}

/// The error of a call that found no instance to go to: `service` names it for the shopper
/// ("the flash sale", "accounts"), with the transport's retry-after.
inline Error no_instance_of(std::string_view service) {
    Error error = make_error(ErrorCode::kUnavailable, std::string(service) + " is unavailable, please try again");
    error.retry_after = kTransportRetryAfter;
    return error;
}

/// What one blocking call needs besides the stub invocation.
struct BlockingCall {
    OutgoingCall outgoing;
    std::string_view peer_secret;
    std::string_view service;  // for no_instance_of
    /// > 1 only for calls that change nothing: a transport failure is then tried on another instance.
    int attempts = 1;
    InstanceChoice choice;
};

/// A blocking call (for the blocking pool or a plain thread): `invoke(stubs, context, response)`
/// calls one stub method and returns its status. A business error the service answered comes
/// back as that Error; a transport failure as kUnavailable with a retry-after. Without a trace of
/// its own the call carries the thread's active one (on the blocking pool, the HTTP request's),
/// so the service's work joins the request's trace.
template <class Stubs, class Response, class Invoke>
Result<Response> call_blocking(InstancePool& pool, const BlockingCall& call, Invoke invoke) {
    OutgoingCall outgoing = call.outgoing;
    if (!outgoing.trace.valid()) {
        outgoing.trace = ActiveTrace::current();
    }
    grpc::Status status;
    for (int attempt = 0; attempt < call.attempts; ++attempt) {
        auto picked = pick_instance<Stubs>(pool, call.choice);
        if (!picked) {
            return no_instance_of(call.service);
        }
        grpc::ClientContext context;
        prepare_context(context, outgoing, call.peer_secret);
        Response response;
        status = invoke(*picked->stubs, context, response);
        picked->report(status);
        if (status.ok()) {
            return response;
        }
        if (!transport_failed(status)) {
            break;
        }
    }
    return from_grpc_status(status);
}

}  // namespace gomall::rpc
