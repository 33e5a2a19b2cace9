// What travels beside every rpc's message: who the call is for (the signed-in shopper), the trace
// it belongs to, and the shared secret that proves the caller is one of the shop's own services.
//
// Why a shared secret: services mode runs the shop's services on a private network behind the
// HTTP gateway; all that a service must know is "this call comes from another GoMall service".
// One secret from config, compared in constant time, says that with no certificate authority to
// run. It is not a substitute for transport encryption where the network is not trusted (then put
// the channel on TLS: the secret check stays as it is).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "core/trace_context.hpp"

namespace gomall::rpc {

/// Metadata keys (gRPC wants them lower case).
inline constexpr std::string_view kPeerSecretKey = "x-gomall-peer-secret";
inline constexpr std::string_view kUserIdKey = "x-gomall-user-id";
inline constexpr std::string_view kTraceparentKey = "traceparent";

/// The metadata and deadline of one outgoing call.
struct OutgoingCall {
    std::chrono::milliseconds timeout{2000};
    std::optional<std::int64_t> user_id;
    TraceContext trace;  // sent when valid
};

/// Sets the deadline (now + timeout) and the metadata on a fresh context.
void prepare_context(grpc::ClientContext& context, const OutgoingCall& call, std::string_view peer_secret);

/// Who an incoming call is for, as its metadata says.
struct Caller {
    std::optional<std::int64_t> user_id;  // absent, or not a positive decimal number: nullopt
    TraceContext trace;                   // invalid when absent or malformed
};

Caller caller_of(const grpc::ServerContextBase& context);

/// True when the two strings are equal, in a time that depends only on their lengths, so that a
/// caller cannot find the secret byte by byte by timing refusals.
bool equal_in_constant_time(std::string_view a, std::string_view b);

/// The server side of the shared secret.
class PeerSecret {
public:
    /// Throws std::invalid_argument for an empty secret: a service must never accept anyone.
    explicit PeerSecret(std::string secret);

    /// nullopt when the call carries the secret; otherwise the UNAUTHENTICATED status to finish
    /// it with (no business detail: the caller's deployment is wrong, not the shopper's request).
    std::optional<grpc::Status> refuse(const grpc::ServerContextBase& context) const;

private:
    std::string secret_;
};

}  // namespace gomall::rpc
