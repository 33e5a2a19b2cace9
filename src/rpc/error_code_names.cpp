// The wire names of ErrorCode. The switch has no default, so -Wswitch (an error here) names any
// enumerator added to ErrorCode and forgotten below.
#include "rpc/error_code_names.hpp"

namespace gomall::rpc {

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return "OK";
        case ErrorCode::kBadRequest:
            return "BAD_REQUEST";
        case ErrorCode::kUnauthorized:
            return "UNAUTHORIZED";
        case ErrorCode::kForbidden:
            return "FORBIDDEN";
        case ErrorCode::kNotFound:
            return "NOT_FOUND";
        case ErrorCode::kMethodNotAllowed:
            return "METHOD_NOT_ALLOWED";
        case ErrorCode::kConflict:
            return "CONFLICT";
        case ErrorCode::kPayloadTooLarge:
            return "PAYLOAD_TOO_LARGE";
        case ErrorCode::kUriTooLong:
            return "URI_TOO_LONG";
        case ErrorCode::kUnsupportedMediaType:
            return "UNSUPPORTED_MEDIA_TYPE";
        case ErrorCode::kTooManyRequests:
            return "TOO_MANY_REQUESTS";
        case ErrorCode::kHeaderFieldsTooLarge:
            return "HEADER_FIELDS_TOO_LARGE";
        case ErrorCode::kInternal:
            return "INTERNAL";
        case ErrorCode::kUnavailable:
            return "UNAVAILABLE";
        case ErrorCode::kUsernameTaken:
            return "USERNAME_TAKEN";
        case ErrorCode::kInvalidCredentials:
            return "INVALID_CREDENTIALS";
        case ErrorCode::kAccountLocked:
            return "ACCOUNT_LOCKED";
        case ErrorCode::kUserNotFound:
            return "USER_NOT_FOUND";
        case ErrorCode::kWrongOldPassword:
            return "WRONG_OLD_PASSWORD";
        case ErrorCode::kTokenInvalid:
            return "TOKEN_INVALID";
        case ErrorCode::kRefreshTokenInvalid:
            return "REFRESH_TOKEN_INVALID";
        case ErrorCode::kLoginRateLimited:
            return "LOGIN_RATE_LIMITED";
        case ErrorCode::kProductNotFound:
            return "PRODUCT_NOT_FOUND";
        case ErrorCode::kCategoryNotFound:
            return "CATEGORY_NOT_FOUND";
        case ErrorCode::kOrderNotFound:
            return "ORDER_NOT_FOUND";
        case ErrorCode::kOrderStatusConflict:
            return "ORDER_STATUS_CONFLICT";
        case ErrorCode::kInsufficientStock:
            return "INSUFFICIENT_STOCK";
        case ErrorCode::kProductUnavailable:
            return "PRODUCT_UNAVAILABLE";
        case ErrorCode::kDirectPayDisabled:
            return "DIRECT_PAY_DISABLED";
        case ErrorCode::kNothingToCheckout:
            return "NOTHING_TO_CHECKOUT";
        case ErrorCode::kPaymentUnavailable:
            return "PAYMENT_UNAVAILABLE";
        case ErrorCode::kPaymentRejected:
            return "PAYMENT_REJECTED";
        case ErrorCode::kRefundTooLarge:
            return "REFUND_TOO_LARGE";
        case ErrorCode::kPaymentNotStarted:
            return "PAYMENT_NOT_STARTED";
        case ErrorCode::kPaymentAttemptsExhausted:
            return "PAYMENT_ATTEMPTS_EXHAUSTED";
        case ErrorCode::kPaymentNotConfigured:
            return "PAYMENT_NOT_CONFIGURED";
        case ErrorCode::kCartItemNotFound:
            return "CART_ITEM_NOT_FOUND";
        case ErrorCode::kCartProductUnavailable:
            return "CART_PRODUCT_UNAVAILABLE";
        case ErrorCode::kCartQuantityLimit:
            return "CART_QUANTITY_LIMIT";
        case ErrorCode::kActivityNotFound:
            return "ACTIVITY_NOT_FOUND";
        case ErrorCode::kSoldOut:
            return "SOLD_OUT";
        case ErrorCode::kNotStarted:
            return "NOT_STARTED";
        case ErrorCode::kEnded:
            return "ENDED";
        case ErrorCode::kLimitReached:
            return "LIMIT_REACHED";
        case ErrorCode::kSeckillRateLimited:
            return "SECKILL_RATE_LIMITED";
        case ErrorCode::kSeckillBusy:
            return "SECKILL_BUSY";
        case ErrorCode::kSeckillTokenRequired:
            return "SECKILL_TOKEN_REQUIRED";
        case ErrorCode::kActivityRunning:
            return "ACTIVITY_RUNNING";
        case ErrorCode::kInvalidActivityWindow:
            return "INVALID_ACTIVITY_WINDOW";
        case ErrorCode::kUploadNoFile:
            return "UPLOAD_NO_FILE";
        case ErrorCode::kUploadUnsupportedType:
            return "UPLOAD_UNSUPPORTED_TYPE";
        case ErrorCode::kUploadTooLarge:
            return "UPLOAD_TOO_LARGE";
        case ErrorCode::kUploadTooManyFiles:
            return "UPLOAD_TOO_MANY_FILES";
        case ErrorCode::kUploadMalformed:
            return "UPLOAD_MALFORMED";
        case ErrorCode::kUploadImageTooLarge:
            return "UPLOAD_IMAGE_TOO_LARGE";
    }
    return {};
}

std::optional<ErrorCode> error_code_from_number(int number) {
    const auto code = static_cast<ErrorCode>(number);
    if (error_code_name(code).empty()) {
        return std::nullopt;
    }
    return code;
}

}  // namespace gomall::rpc
