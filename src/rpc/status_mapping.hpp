// Our business errors <-> gRPC statuses, both ways and lossless: the gRPC code tells the class of
// failure (as the HTTP status does), the status's binary details carry the exact ErrorCode,
// message, field and retry-after in a gomall.v1.ErrorDetail.
#pragma once

#include <chrono>
#include <exception>
#include <optional>

#include <grpcpp/support/status.h>

#include "core/error.hpp"
#include "gomall/v1/common.pb.h"

namespace gomall::rpc {

/// How long a caller is told to wait after the transport failed (UNAVAILABLE, DEADLINE_EXCEEDED):
/// the one second an adapter's DependencyUnavailable says by default.
inline constexpr std::chrono::seconds kTransportRetryAfter{1};

/// The class of failure of a business error code (the table is in status_mapping.cpp).
grpc::StatusCode grpc_code_for(ErrorCode code);

/// The five fields of `error` as a message; and back, nullopt when the code is none we know (a
/// newer peer's) or kOk.
v1::ErrorDetail to_error_detail(const Error& error);
std::optional<Error> from_error_detail(const v1::ErrorDetail& detail);

/// A failed status carrying `error` in its details.
grpc::Status to_grpc_status(const Error& error);

/// The business error a failed status stands for. Our details, when present, decide it exactly;
/// a status without them comes from the transport or the peer's plumbing: UNAVAILABLE,
/// DEADLINE_EXCEEDED, CANCELLED and RESOURCE_EXHAUSTED (the peer is overloaded) become
/// kUnavailable with retry_after = kTransportRetryAfter, anything else kInternal (a wrong peer
/// secret, an unknown method: a deployment fault that retrying does not fix). Must not be OK.
Error from_grpc_status(const grpc::Status& status);

/// True when the call did not reach an answer of the service: UNAVAILABLE or DEADLINE_EXCEEDED
/// without our details (a refused connection, a dead peer, a deadline). What a circuit breaker in
/// front of one instance counts as a failure; an error the service answered is a success for it.
bool transport_failed(const grpc::Status& status);

/// The status a handler that threw is answered with: UNAVAILABLE (kUnavailable with its
/// retry-after) for a DependencyUnavailable, INTERNAL (kInternal) for anything else.
grpc::Status status_of_exception(const std::exception_ptr& error);

}  // namespace gomall::rpc
