#include "http/envelope.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace gomall::http {
namespace {

// Money travels through Boost.JSON as a string starting with this marker; serialize_json()
// rewrites the whole quoted string into a bare decimal number. Request validation rejects
// control characters, so no user-supplied string can carry the marker.
constexpr std::string_view kMoneyMarker = "\x01money:";
constexpr std::string_view kEscapedMarker = "\"\\u0001money:";

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing past U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s) {
    const auto byte = [&s](std::size_t i) {
        return static_cast<unsigned char>(s[i]);
    };
    const unsigned char c = byte(0);
    if (c < 0x80) {
        return 1;
    }
    std::size_t len = 0;
    unsigned char low = 0x80;  // the second byte's range, narrowed where overlong forms or surrogates start
    unsigned char high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        low = c == 0xe0 ? 0xa0 : 0x80;
        high = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        low = c == 0xf0 ? 0x90 : 0x80;
        high = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (s.size() < len || byte(1) < low || byte(1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < len; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) {
            return 0;
        }
    }
    return len;
}

// Error messages quote what the client sent (a path, a header): JSON text must be UTF-8, so a byte
// that is not part of a well-formed sequence becomes U+FFFD instead of breaking the envelope.
std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    while (!s.empty()) {
        const std::size_t len = utf8_sequence(s);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            s.remove_prefix(1);
        } else {
            out.append(s.substr(0, len));
            s.remove_prefix(len);
        }
    }
    return out;
}

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

Response ok_encoded(const Request& req, std::string_view data_json) {
    static constexpr std::string_view kHead = R"({"code":0,"message":"success","data":)";
    static constexpr std::string_view kTraceField = R"(,"trace_id":)";
    const std::string trace_id = boost::json::serialize(boost::json::string(req.trace_id));
    Response res;
    res.status = 200;
    res.body.reserve(kHead.size() + data_json.size() + kTraceField.size() + trace_id.size() + 1);
    res.body.append(kHead).append(data_json).append(kTraceField).append(trace_id).push_back('}');
    return res;
}

Response error_response(const Request& req, const Error& error) {
    boost::json::object envelope;
    envelope["code"] = static_cast<int>(error.code);
    envelope["message"] = valid_utf8(error.message);
    if (error.field.empty()) {
        envelope["data"] = nullptr;
    } else {
        envelope["data"] = boost::json::object{{"field", error.field}};
    }
    envelope["trace_id"] = req.trace_id;
    Response res;
    res.status = http_status_for(error.code);
    res.body = boost::json::serialize(envelope);
    if (error.retry_after.count() > 0) {
        res.set_header("Retry-After", std::to_string(error.retry_after.count()));
    }
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
