// Business error codes of the public API and the Result type services return.
// The numeric values are part of the API contract (docs/openapi.yaml).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

namespace gomall {

enum class ErrorCode : int {
    kOk = 0,
    // generic
    kBadRequest = 400,
    kUnauthorized = 401,
    kForbidden = 403,
    kNotFound = 404,
    kMethodNotAllowed = 405,
    kConflict = 409,
    kPayloadTooLarge = 413,
    kUriTooLong = 414,
    kUnsupportedMediaType = 415,
    kTooManyRequests = 429,
    kHeaderFieldsTooLarge = 431,
    kInternal = 500,
    kUnavailable = 503,
    // user 10001-10099
    kUsernameTaken = 10001,
    kInvalidCredentials = 10002,
    kAccountLocked = 10003,  // no longer sent (failed logins are throttled, not locked); the number stays reserved
    kUserNotFound = 10004,
    kWrongOldPassword = 10005,
    kTokenInvalid = 10006,
    kRefreshTokenInvalid = 10007,
    kLoginRateLimited = 10008,
    // product 20001-20099
    kProductNotFound = 20001,
    kCategoryNotFound = 20002,
    // order 30001-30099
    kOrderNotFound = 30001,
    kOrderStatusConflict = 30002,
    kInsufficientStock = 30003,
    kProductUnavailable = 30004,
    kDirectPayDisabled = 30005,
    kNothingToCheckout = 30006,
    // payment 40001-40099
    kPaymentUnavailable = 40001,        // the provider could not be reached or answered nonsense: try again
    kPaymentRejected = 40002,           // the provider refused the request
    kRefundTooLarge = 40003,            // more than was paid and not yet refunded
    kPaymentNotStarted = 40004,         // no payment was started for the order
    kPaymentAttemptsExhausted = 40005,  // too many payment attempts for one order
    kPaymentNotConfigured = 40006,      // no payment provider is configured on this server
    // cart 50001-50099
    kCartItemNotFound = 50001,
    kCartProductUnavailable = 50002,
    kCartQuantityLimit = 50003,
    // seckill 60001-60099
    kActivityNotFound = 60001,
    kSoldOut = 60002,
    kNotStarted = 60003,
    kEnded = 60004,
    kLimitReached = 60005,
    kSeckillRateLimited = 60006,
    kSeckillBusy = 60007,
    kSeckillTokenRequired = 60008,
    kActivityRunning = 60009,
    kInvalidActivityWindow = 60010,
    // upload 70001-70099
    kUploadNoFile = 70001,           // no part with the expected field name, or an empty file
    kUploadUnsupportedType = 70002,  // the content is not a JPEG, PNG, GIF or WebP image
    kUploadTooLarge = 70003,         // a file over upload.max_file_bytes
    kUploadTooManyFiles = 70004,     // more files (parts) than upload.max_files
    kUploadMalformed = 70005,        // broken multipart framing, part headers or boundary
    kUploadImageTooLarge = 70006,    // width or height over upload.max_image_dimension
};

/// An expected business failure: a code from the table above, a sentence for the
/// user, and the offending request field when the failure is about one.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::string field;
    /// When positive, how long the client should wait before trying again (HTTP Retry-After):
    /// set for "try again" failures whose cause knows it (an open circuit breaker).
    std::chrono::seconds retry_after{0};
};

inline Error make_error(ErrorCode code, std::string message, std::string field = {}) {
    return Error{code, std::move(message), std::move(field)};
}

/// Value or business error. Infrastructure failures are exceptions, not Results.
template <class T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(state_); }
    const T& value() const { return std::get<0>(state_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const Error& error() const { return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

/// Result of an operation that returns nothing on success.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
    return Unit{};
}

}  // namespace gomall
