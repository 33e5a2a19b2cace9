#include "http/envelope.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace gomall::http {
namespace {

// Money travels through Boost.JSON as a string starting with this marker; serialize_json()
// rewrites the whole quoted string into a bare decimal number. Request validation rejects
// control characters, so no user-supplied string can carry the marker.
constexpr std::string_view kMoneyMarker = "\x01money:";
constexpr std::string_view kEscapedMarker = "\"\\u0001money:";

}  // namespace

int http_status_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return 200;
        case ErrorCode::kBadRequest:
        case ErrorCode::kWrongOldPassword:
        case ErrorCode::kCategoryNotFound:
        case ErrorCode::kNothingToCheckout:
        case ErrorCode::kCartQuantityLimit:
        case ErrorCode::kInvalidActivityWindow:
        case ErrorCode::kUploadNoFile:
        case ErrorCode::kUploadTooManyFiles:
        case ErrorCode::kUploadMalformed:
        case ErrorCode::kUploadImageTooLarge:
        case ErrorCode::kRefundTooLarge:
            return 400;
        case ErrorCode::kUnauthorized:
        case ErrorCode::kInvalidCredentials:
        case ErrorCode::kTokenInvalid:
        case ErrorCode::kRefreshTokenInvalid:
            return 401;
        case ErrorCode::kForbidden:
        case ErrorCode::kDirectPayDisabled:
        case ErrorCode::kSeckillTokenRequired:
            return 403;
        case ErrorCode::kNotFound:
        case ErrorCode::kUserNotFound:
        case ErrorCode::kProductNotFound:
        case ErrorCode::kOrderNotFound:
        case ErrorCode::kCartItemNotFound:
        case ErrorCode::kActivityNotFound:
        case ErrorCode::kPaymentNotStarted:
            return 404;
        case ErrorCode::kMethodNotAllowed:
            return 405;
        case ErrorCode::kConflict:
        case ErrorCode::kUsernameTaken:
        case ErrorCode::kOrderStatusConflict:
        case ErrorCode::kInsufficientStock:
        case ErrorCode::kProductUnavailable:
        case ErrorCode::kCartProductUnavailable:
        case ErrorCode::kSoldOut:
        case ErrorCode::kNotStarted:
        case ErrorCode::kEnded:
        case ErrorCode::kLimitReached:
        case ErrorCode::kActivityRunning:
        case ErrorCode::kPaymentAttemptsExhausted:
            return 409;
        case ErrorCode::kPayloadTooLarge:
        case ErrorCode::kUploadTooLarge:
            return 413;
        case ErrorCode::kUriTooLong:
            return 414;
        case ErrorCode::kHeaderFieldsTooLarge:
            return 431;
        case ErrorCode::kUnsupportedMediaType:
        case ErrorCode::kUploadUnsupportedType:
            return 415;
        case ErrorCode::kTooManyRequests:
        case ErrorCode::kAccountLocked:
        case ErrorCode::kLoginRateLimited:
        case ErrorCode::kSeckillRateLimited:
            return 429;
        case ErrorCode::kUnavailable:
        case ErrorCode::kSeckillBusy:
        case ErrorCode::kPaymentUnavailable:
        case ErrorCode::kPaymentNotConfigured:
            return 503;
        case ErrorCode::kPaymentRejected:
            return 502;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

boost::json::value money_json(Cents cents) {
    std::string marked(kMoneyMarker);
    marked += std::to_string(cents);
    return boost::json::string(marked);
}

std::string serialize_json(const boost::json::value& value) {
    std::string text = boost::json::serialize(value);
    std::size_t pos = text.find(kEscapedMarker);
    if (pos == std::string::npos) {
        return text;
    }
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;
    while (pos != std::string::npos) {
        const std::size_t digits_begin = pos + kEscapedMarker.size();
        const std::size_t close = text.find('"', digits_begin);
        if (close == std::string::npos) {
            break;
        }
        out.append(text, copied, pos - copied);
        const std::string digits = text.substr(digits_begin, close - digits_begin);
        out += format_yuan(std::stoll(digits));
        copied = close + 1;
        pos = text.find(kEscapedMarker, copied);
    }
    out.append(text, copied, std::string::npos);
    return out;
}

Response ok(const Request& req, boost::json::value data, int status) {
    boost::json::object envelope;
    envelope["code"] = 0;
    envelope["message"] = "success";
    envelope["data"] = std::move(data);
    envelope["trace_id"] = req.trace_id;
    Response res;
    res.status = status;
    res.body = serialize_json(envelope);
    return res;
}

Response error_response(const Request& req, const Error& error) {
    boost::json::object envelope;
    envelope["code"] = static_cast<int>(error.code);
    envelope["message"] = error.message;
    if (error.field.empty()) {
        envelope["data"] = nullptr;
    } else {
        envelope["data"] = boost::json::object{{"field", error.field}};
    }
    envelope["trace_id"] = req.trace_id;
    Response res;
    res.status = http_status_for(error.code);
    res.body = boost::json::serialize(envelope);
    return res;
}

Response error_response(const Request& req, ErrorCode code, std::string message, std::string field) {
    return error_response(req, Error{code, std::move(message), std::move(field)});
}

boost::json::object page_object(boost::json::array items, std::int64_t total, int page, int page_size) {
    boost::json::object out;
    out["list"] = std::move(items);
    out["total"] = total;
    out["page"] = page;
    out["page_size"] = page_size;
    out["total_page"] = page_size > 0 ? (total + page_size - 1) / page_size : 0;
    return out;
}

}  // namespace gomall::http
