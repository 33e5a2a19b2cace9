#include "adapters/wechatpay/v3_gateway.hpp"

#include <boost/json.hpp>

#include "adapters/wechatpay/china_time.hpp"
#include "adapters/wechatpay/gateway_common.hpp"
#include "adapters/wechatpay/provider_call_span.hpp"
#include "adapters/wechatpay/v3_sign.hpp"

namespace gomall::wechatpay {

namespace json = boost::json;
using ports::GatewayError;
using ports::GatewayFailure;

struct V3Gateway::Answer {
    int status = 0;
    json::value body;  // null for an empty body (204)
};

namespace {

constexpr std::size_t kDescriptionBytes = 127;

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

Cents integer(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v != nullptr && v->is_int64() && v->as_int64() >= 0) {
        return v->as_int64();
    }
    if (v != nullptr && v->is_uint64() && v->as_uint64() < (1ULL << 53U)) {
        return static_cast<Cents>(v->as_uint64());
    }
    return -1;
}

const json::object* child(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}

ports::Transaction to_transaction(const json::object& o) {
    ports::Transaction tx;
    tx.app_id = str(o, "appid");
    tx.mch_id = str(o, "mchid");
    tx.out_trade_no = str(o, "out_trade_no");
    tx.transaction_id = str(o, "transaction_id");
    tx.state_text = str(o, "trade_state");
    tx.state = parse_trade_state(tx.state_text);
    if (const auto* amount = child(o, "amount")) {
        tx.total = integer(*amount, "total");
        tx.payer_total = integer(*amount, "payer_total");
        tx.currency = str(*amount, "currency");
    }
    if (auto t = parse_iso8601(str(o, "success_time"))) {
        tx.success_time = *t;
    }
    return tx;
}

ports::Refund to_refund(const json::object& o, std::string_view status_key) {
    ports::Refund r;
    r.mch_id = str(o, "mchid");
    r.out_trade_no = str(o, "out_trade_no");
    r.out_refund_no = str(o, "out_refund_no");
    r.refund_id = str(o, "refund_id");
    r.state_text = str(o, status_key);
    r.state = parse_refund_state(r.state_text);
    if (const auto* amount = child(o, "amount")) {
        r.refund = integer(*amount, "refund");
        r.total = integer(*amount, "total");
    }
    if (auto t = parse_iso8601(str(o, "success_time"))) {
        r.success_time = *t;
    }
    return r;
}

GatewayError error_from(const json::value& body, int status) {
    std::string code = "HTTP_" + std::to_string(status);
    std::string message;
    if (body.is_object()) {
        if (auto c = str(body.as_object(), "code"); !c.empty()) {
            code = c;
        }
        message = str(body.as_object(), "message");
    }
    auto failure = failure_for_code(code);
    if (status == 404 && failure == GatewayFailure::kRejected) {
        failure = GatewayFailure::kNotFound;
    }
    return gateway_error(failure, code, trim_utf8(message, 200));
}

}  // namespace

V3Gateway::V3Gateway(WechatPaySettings settings, const ports::Clock& clock)
    : settings_(std::move(settings)),
      clock_(clock),
      merchant_key_(RsaKey::private_from_pem(settings_.merchant_private_key_pem)),
      platform_key_(RsaKey::public_from_pem(settings_.platform_public_key_pem)),
      http_(settings_.http) {
    if (settings_.api_v3_key.size() != 32) {
        throw std::runtime_error("the WeChat Pay APIv3 key must be 32 bytes");
    }
}

std::string V3Gateway::signature_problem(const std::map<std::string, std::string>& headers, const std::string& body)
    const {
    auto header = [&](const char* name) -> std::string {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    };
    const std::string serial = header("wechatpay-serial");
    const std::string timestamp = header("wechatpay-timestamp");
    const std::string nonce = header("wechatpay-nonce");
    const std::string signature = header("wechatpay-signature");
    if (serial.empty() || timestamp.empty() || nonce.empty() || signature.empty()) {
        return "missing Wechatpay-Serial, -Timestamp, -Nonce or -Signature";
    }
    if (serial != settings_.platform_serial_no) {
        return "signed with an unknown platform key (serial " + trim_utf8(serial, 64) + ")";
    }
    if (!v3_timestamp_fresh(timestamp, to_unix_seconds(clock_.now()), settings_.max_clock_skew_seconds)) {
        return "timestamp outside the allowed window";
    }
    if (!platform_key_.verify_sha256(v3_response_message(timestamp, nonce, body), signature)) {
        return "bad signature";
    }
    return {};
}

std::variant<V3Gateway::Answer, GatewayError> V3Gateway::call(
    const std::string& method, const std::string& path_and_query, const std::string& body
) {
    const std::string timestamp = std::to_string(to_unix_seconds(clock_.now()));
    const std::string nonce = random_nonce(32);
    V3Authorization auth;
    auth.mchid = settings_.mch_id;
    auth.nonce_str = nonce;
    auth.timestamp = timestamp;
    auth.serial_no = settings_.merchant_serial_no;
    auth.signature = merchant_key_.sign_sha256(v3_request_message(method, path_and_query, timestamp, nonce, body));

    HttpRequest request;
    request.method = method;
    request.url = settings_.base_url + path_and_query;
    request.headers["Authorization"] = format_v3_authorization(auth);
    request.headers["Accept"] = "application/json";
    request.headers["User-Agent"] = "GoMall-WechatPay/1";
    if (!body.empty()) {
        request.headers["Content-Type"] = "application/json";
    }
    request.body = body;
    ProviderCallSpan span(tracer_, request);
    auto sent = http_.send(request);
    span.finish(sent);
    if (const auto* failure = std::get_if<HttpFailure>(&sent)) {
        return gateway_error(GatewayFailure::kUnavailable, "transport", failure->message);
    }
    const auto& response = std::get<HttpResponse>(sent);
    if (response.status >= 500) {
        return gateway_error(GatewayFailure::kUnavailable, "HTTP_" + std::to_string(response.status), "");
    }
    // An answer that does not verify may come from anyone between us and the provider: trust none of it.
    if (auto problem = signature_problem(response.headers, response.body); !problem.empty()) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response_signature", problem);
    }
    Answer answer{response.status, nullptr};
    if (!response.body.empty()) {
        boost::system::error_code ec;
        answer.body = json::parse(response.body, ec);
        if (ec) {
            return gateway_error(GatewayFailure::kUnavailable, "bad_response", "answer is not JSON");
        }
    }
    if (response.status >= 400) {
        return error_from(answer.body, response.status);
    }
    return answer;
}

ports::GatewayResult<ports::NativePayment> V3Gateway::create_native(const ports::NativePaymentRequest& request) {
    json::object body;
    body["appid"] = settings_.app_id;
    body["mchid"] = settings_.mch_id;
    body["description"] = trim_utf8(request.description, kDescriptionBytes);
    body["out_trade_no"] = request.out_trade_no;
    body["time_expire"] = format_rfc3339_china(request.expires_at);
    body["notify_url"] = settings_.notify_url;
    body["amount"] = json::object{{"total", request.total}, {"currency", "CNY"}};
    auto result = call("POST", "/v3/pay/transactions/native", json::serialize(body));
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& answer = std::get<Answer>(result);
    std::string code_url = answer.body.is_object() ? str(answer.body.as_object(), "code_url") : "";
    if (code_url.rfind("weixin://", 0) != 0) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "no code_url in the answer");
    }
    return ports::NativePayment{std::move(code_url), ""};
}

ports::GatewayResult<ports::Transaction> V3Gateway::query(const std::string& out_trade_no) {
    if (!valid_trade_no(out_trade_no)) {
        return gateway_error(GatewayFailure::kNotFound, "INVALID_REQUEST", "malformed out_trade_no");
    }
    auto result = call("GET", "/v3/pay/transactions/out-trade-no/" + out_trade_no + "?mchid=" + settings_.mch_id, "");
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& answer = std::get<Answer>(result);
    if (!answer.body.is_object()) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "empty answer");
    }
    auto tx = to_transaction(answer.body.as_object());
    if (tx.mch_id != settings_.mch_id || tx.out_trade_no != out_trade_no) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "answer names another merchant or trade");
    }
    return tx;
}

ports::GatewayResult<std::monostate> V3Gateway::close(const std::string& out_trade_no) {
    if (!valid_trade_no(out_trade_no)) {
        return std::monostate{};
    }
    json::object body{{"mchid", settings_.mch_id}};
    auto result = call("POST", "/v3/pay/transactions/out-trade-no/" + out_trade_no + "/close", json::serialize(body));
    if (auto* error = std::get_if<GatewayError>(&result)) {
        if (error->failure == GatewayFailure::kNotFound || error->failure == GatewayFailure::kClosed) {
            return std::monostate{};
        }
        return std::move(*error);
    }
    return std::monostate{};
}

ports::GatewayResult<ports::Refund> V3Gateway::refund(const ports::RefundRequest& request) {
    json::object body;
    body["out_trade_no"] = request.out_trade_no;
    body["out_refund_no"] = request.out_refund_no;
    body["reason"] = trim_utf8(request.reason, 80);
    body["notify_url"] = settings_.notify_url;
    body["amount"] = json::object{{"refund", request.refund}, {"total", request.total}, {"currency", "CNY"}};
    return refund_answer(call("POST", "/v3/refund/domestic/refunds", json::serialize(body)), request.out_refund_no);
}

ports::GatewayResult<ports::Refund> V3Gateway::query_refund(const std::string& out_refund_no) {
    if (!valid_refund_no(out_refund_no)) {
        return gateway_error(GatewayFailure::kNotFound, "INVALID_REQUEST", "malformed out_refund_no");
    }
    return refund_answer(call("GET", "/v3/refund/domestic/refunds/" + out_refund_no, ""), out_refund_no);
}

ports::GatewayResult<ports::Refund> V3Gateway::refund_answer(
    std::variant<Answer, ports::GatewayError> result, const std::string& out_refund_no
) {
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& answer = std::get<Answer>(result);
    if (!answer.body.is_object()) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "empty answer");
    }
    auto refund = to_refund(answer.body.as_object(), "status");
    if (refund.out_refund_no != out_refund_no) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "answer names another refund");
    }
    return refund;
}

Result<ports::VerifiedNotification> V3Gateway::verify_notification(const ports::IncomingNotification& n) {
    auto refuse = [](std::string why) {
        return make_error(ErrorCode::kBadRequest, std::move(why));
    };
    if (n.body.size() > settings_.max_notification_bytes) {
        return refuse("notification body over the size limit");
    }
    if (auto problem = signature_problem(n.headers, n.body); !problem.empty()) {
        return refuse(problem);
    }
    boost::system::error_code ec;
    json::value doc = json::parse(n.body, ec);
    if (ec || !doc.is_object()) {
        return refuse("notification is not a JSON object");
    }
    const auto& o = doc.as_object();
    const std::string event_type = str(o, "event_type");
    const auto* resource = child(o, "resource");
    if (resource == nullptr || str(*resource, "algorithm") != "AEAD_AES_256_GCM") {
        return refuse("notification resource missing or not AEAD_AES_256_GCM");
    }
    auto plain = aes256gcm_decrypt_base64(
        settings_.api_v3_key, str(*resource, "nonce"), str(*resource, "associated_data"), str(*resource, "ciphertext")
    );
    if (!plain) {
        return refuse("notification resource does not decrypt");
    }
    json::value inner = json::parse(*plain, ec);
    if (ec || !inner.is_object()) {
        return refuse("decrypted resource is not a JSON object");
    }
    const auto& r = inner.as_object();
    ports::VerifiedNotification out;
    out.id = trim_utf8(str(o, "id"), 64);
    if (event_type.rfind("TRANSACTION.", 0) == 0) {
        auto tx = to_transaction(r);
        if (tx.app_id != settings_.app_id || tx.mch_id != settings_.mch_id) {
            return refuse("notification names another app id or merchant");
        }
        if (!valid_trade_no(tx.out_trade_no) || tx.total < 0) {
            return refuse("notification resource lacks out_trade_no or amount");
        }
        out.event = std::move(tx);
        return out;
    }
    if (event_type.rfind("REFUND.", 0) == 0) {
        auto refund = to_refund(r, "refund_status");
        if (refund.mch_id != settings_.mch_id) {
            return refuse("notification names another merchant");
        }
        if (refund.out_refund_no.empty() || refund.refund < 0) {
            return refuse("notification resource lacks out_refund_no or amount");
        }
        out.event = std::move(refund);
        return out;
    }
    return refuse("unknown event_type");
}

ports::NotificationAnswer V3Gateway::answer_notification(bool accepted, const std::string& reason) const {
    if (accepted) {
        // WeChat takes 200 or 204; a body that says so helps whoever reads the exchange in a log.
        return ports::NotificationAnswer{200, "application/json", R"({"code":"SUCCESS","message":"OK"})"};
    }
    json::object body{{"code", "FAIL"}, {"message", trim_utf8(reason, 200)}};
    return ports::NotificationAnswer{400, "application/json", json::serialize(body)};
}

}  // namespace gomall::wechatpay
