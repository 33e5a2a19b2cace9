// The ErrorCode -> grpc::StatusCode table and the ErrorDetail encoding of a status's details.
#include "rpc/status_mapping.hpp"

#include <optional>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/unavailable.hpp"
#include "core/utf8.hpp"
#include "gomall/v1/common.pb.h"
#include "rpc/error_code_names.hpp"

namespace gomall::rpc {

// By the same classes as the HTTP statuses (src/http/envelope.cpp), in gRPC's vocabulary:
//   400, 413, 414, 415, 431 bad input           -> INVALID_ARGUMENT
//   401 not signed in / bad credentials         -> UNAUTHENTICATED
//   403                                          -> PERMISSION_DENIED
//   404 something named does not exist         -> NOT_FOUND
//   405                                          -> UNIMPLEMENTED
//   409 a duplicate                              -> ALREADY_EXISTS
//   409 the state forbids it (sold out, ended)  -> FAILED_PRECONDITION
//   429 too fast                                 -> RESOURCE_EXHAUSTED
//   503 a dependency is down: try again          -> UNAVAILABLE
//   502 the payment provider refused             -> FAILED_PRECONDITION (retrying does not help)
//   503 payment not configured on this server   -> FAILED_PRECONDITION (retrying does not help)
//   500                                          -> INTERNAL
grpc::StatusCode grpc_code_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return grpc::StatusCode::OK;
        case ErrorCode::kBadRequest:
        case ErrorCode::kPayloadTooLarge:
        case ErrorCode::kUriTooLong:
        case ErrorCode::kUnsupportedMediaType:
        case ErrorCode::kHeaderFieldsTooLarge:
        case ErrorCode::kInvalidActivityWindow:
        case ErrorCode::kRefundTooLarge:
        case ErrorCode::kNothingToCheckout:
        case ErrorCode::kCartQuantityLimit:
        case ErrorCode::kUploadNoFile:
        case ErrorCode::kUploadUnsupportedType:
        case ErrorCode::kUploadTooLarge:
        case ErrorCode::kUploadTooManyFiles:
        case ErrorCode::kUploadMalformed:
        case ErrorCode::kUploadImageTooLarge:
            return grpc::StatusCode::INVALID_ARGUMENT;
        case ErrorCode::kUnauthorized:
        case ErrorCode::kInvalidCredentials:
        case ErrorCode::kTokenInvalid:
        case ErrorCode::kRefreshTokenInvalid:
        case ErrorCode::kWrongOldPassword:
            return grpc::StatusCode::UNAUTHENTICATED;
        case ErrorCode::kForbidden:
            return grpc::StatusCode::PERMISSION_DENIED;
        case ErrorCode::kNotFound:
        case ErrorCode::kUserNotFound:
        case ErrorCode::kProductNotFound:
        case ErrorCode::kCategoryNotFound:
        case ErrorCode::kOrderNotFound:
        case ErrorCode::kCartItemNotFound:
        case ErrorCode::kActivityNotFound:
        case ErrorCode::kPaymentNotStarted:
            return grpc::StatusCode::NOT_FOUND;
        case ErrorCode::kMethodNotAllowed:
            return grpc::StatusCode::UNIMPLEMENTED;
        case ErrorCode::kConflict:
        case ErrorCode::kUsernameTaken:
            return grpc::StatusCode::ALREADY_EXISTS;
        case ErrorCode::kOrderStatusConflict:
        case ErrorCode::kInsufficientStock:
        case ErrorCode::kProductUnavailable:
        case ErrorCode::kDirectPayDisabled:
        case ErrorCode::kCartProductUnavailable:
        case ErrorCode::kSoldOut:
        case ErrorCode::kNotStarted:
        case ErrorCode::kEnded:
        case ErrorCode::kLimitReached:
        case ErrorCode::kSeckillTokenRequired:
        case ErrorCode::kActivityRunning:
        case ErrorCode::kPaymentRejected:
        case ErrorCode::kPaymentAttemptsExhausted:
        case ErrorCode::kPaymentNotConfigured:
            return grpc::StatusCode::FAILED_PRECONDITION;
        case ErrorCode::kTooManyRequests:
        case ErrorCode::kAccountLocked:
        case ErrorCode::kLoginRateLimited:
        case ErrorCode::kSeckillRateLimited:
            return grpc::StatusCode::RESOURCE_EXHAUSTED;
        case ErrorCode::kUnavailable:
        case ErrorCode::kSeckillBusy:
        case ErrorCode::kPaymentUnavailable:
            return grpc::StatusCode::UNAVAILABLE;
        case ErrorCode::kInternal:
            return grpc::StatusCode::INTERNAL;
    }
    return grpc::StatusCode::INTERNAL;
}

v1::ErrorDetail to_error_detail(const Error& error) {
    v1::ErrorDetail detail;
    detail.set_code(static_cast<int>(error.code));
    detail.set_name(std::string(error_code_name(error.code)));
    // Proto3 strings must be UTF-8, and a message may quote what a shopper sent (an order number
    // from a URL): unrepaired, the caller could not parse the detail and would see an internal
    // error. The bytes become U+FFFD, as the HTTP envelope shows them anyway.
    detail.set_message(valid_utf8(error.message));
    detail.set_field(valid_utf8(error.field));
    detail.set_retry_after_seconds(error.retry_after.count());
    return detail;
}

std::optional<Error> from_error_detail(const v1::ErrorDetail& detail) {
    const auto code = error_code_from_number(detail.code());
    if (!code || *code == ErrorCode::kOk) {
        return std::nullopt;
    }
    Error error;
    error.code = *code;
    error.message = detail.message();
    error.field = detail.field();
    error.retry_after = std::chrono::seconds(detail.retry_after_seconds());
    return error;
}

grpc::Status to_grpc_status(const Error& error) {
    grpc::StatusCode code = grpc_code_for(error.code);
    if (code == grpc::StatusCode::OK) {
        code = grpc::StatusCode::INTERNAL;  // kOk is not an error: whoever made one made a mistake
    }
    v1::StatusDetails details;
    details.set_code(static_cast<int>(code));
    details.set_message(valid_utf8(error.message));
    details.add_details()->PackFrom(to_error_detail(error));
    return {code, error.message, details.SerializeAsString()};
}

namespace {

std::optional<Error> error_in_details(const grpc::Status& status) {
    if (status.error_details().empty()) {
        return std::nullopt;
    }
    v1::StatusDetails details;
    if (!details.ParseFromString(status.error_details())) {
        return std::nullopt;
    }
    for (const auto& any : details.details()) {
        v1::ErrorDetail detail;
        if (any.UnpackTo(&detail)) {
            // A code this build does not know (a newer peer's) falls back to the status's class
            // below rather than inventing one.
            return from_error_detail(detail);
        }
    }
    return std::nullopt;
}

}  // namespace

bool transport_failed(const grpc::Status& status) {
    return !status.ok() && status.error_details().empty() &&
           (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
            status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
}

Error from_grpc_status(const grpc::Status& status) {
    if (auto error = error_in_details(status)) {
        return *std::move(error);
    }
    switch (status.error_code()) {
        case grpc::StatusCode::UNAVAILABLE:
        case grpc::StatusCode::DEADLINE_EXCEEDED:
        case grpc::StatusCode::CANCELLED:
        case grpc::StatusCode::RESOURCE_EXHAUSTED: {
            Error error = make_error(
                ErrorCode::kUnavailable, "a service the shop depends on is unavailable; try again in a moment"
            );
            error.retry_after = kTransportRetryAfter;
            return error;
        }
        default:
            return make_error(ErrorCode::kInternal, "a service call failed (" + status.error_message() + ")");
    }
}

grpc::Status status_of_exception(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const DependencyUnavailable& unavailable) {
        Error mapped = make_error(ErrorCode::kUnavailable, unavailable.what());
        mapped.retry_after = unavailable.retry_after();
        return to_grpc_status(mapped);
    } catch (const std::exception& failure) {
        // The caller sees a sentence, not our internals; the cause stays in this service's log.
        spdlog::error("rpc handler failed: {}", failure.what());
    } catch (...) {
        spdlog::error("rpc handler failed with a non-standard exception");
    }
    return to_grpc_status(make_error(ErrorCode::kInternal, "internal error"));
}

}  // namespace gomall::rpc
