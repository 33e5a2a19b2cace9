#include "adapters/wechatpay/v2_gateway.hpp"

#include <stdexcept>

#include "adapters/wechatpay/china_time.hpp"
#include "adapters/wechatpay/crypto.hpp"
#include "adapters/wechatpay/gateway_common.hpp"
#include "adapters/wechatpay/provider_call_span.hpp"
#include "adapters/wechatpay/v2_sign.hpp"

namespace gomall::wechatpay {

using ports::GatewayError;
using ports::GatewayFailure;

namespace {

constexpr std::size_t kBodyBytes = 128;

std::string field(const FlatXml& doc, const std::string& name) {
    auto it = doc.find(name);
    return it == doc.end() ? std::string() : it->second;
}

Cents fen(const FlatXml& doc, const std::string& name) {
    return parse_fen(field(doc, name)).value_or(-1);
}

ports::Transaction to_transaction(const FlatXml& doc) {
    ports::Transaction tx;
    tx.app_id = field(doc, "appid");
    tx.mch_id = field(doc, "mch_id");
    tx.out_trade_no = field(doc, "out_trade_no");
    tx.transaction_id = field(doc, "transaction_id");
    tx.total = fen(doc, "total_fee");
    tx.payer_total = doc.count("cash_fee") != 0 ? fen(doc, "cash_fee") : tx.total;
    // APIv2 leaves fee_type out when it is CNY.
    tx.currency = doc.count("fee_type") != 0 ? field(doc, "fee_type") : "CNY";
    if (auto t = parse_compact_china(field(doc, "time_end"))) {
        tx.success_time = *t;
    }
    return tx;
}

}  // namespace

V2Gateway::V2Gateway(WechatPaySettings settings, const ports::Clock& clock)
    : settings_(std::move(settings)), clock_(clock), http_(settings_.http) {
    if (settings_.api_v2_key.size() != 32) {
        throw std::runtime_error("the WeChat Pay APIv2 key must be 32 bytes");
    }
}

std::string V2Gateway::document_problem(const FlatXml& doc) const {
    V2SignType type = settings_.sign_type;
    if (auto it = doc.find("sign_type"); it != doc.end()) {
        auto parsed = parse_v2_sign_type(it->second);
        if (!parsed) {
            return "unknown sign_type";
        }
        type = *parsed;
    }
    if (!v2_verify(doc, settings_.api_v2_key, type)) {
        return "bad signature";
    }
    if (field(doc, "appid") != settings_.app_id || field(doc, "mch_id") != settings_.mch_id) {
        return "names another app id or merchant";
    }
    return {};
}

std::variant<FlatXml, GatewayError> V2Gateway::call(const std::string& path, FlatXml fields) {
    fields["appid"] = settings_.app_id;
    fields["mch_id"] = settings_.mch_id;
    fields["nonce_str"] = random_nonce(32);
    fields["sign_type"] = std::string(v2_sign_type_name(settings_.sign_type));
    fields.erase("sign");
    fields["sign"] = v2_sign(fields, settings_.api_v2_key, settings_.sign_type);

    HttpRequest request;
    request.method = "POST";
    request.url = settings_.base_url + path;
    request.headers["Content-Type"] = "text/xml; charset=utf-8";
    request.headers["User-Agent"] = "GoMall-WechatPay/1";
    request.body = write_flat_xml(fields);
    ProviderCallSpan span(tracer_, request);
    auto sent = http_.send(request);
    span.finish(sent);
    if (const auto* failure = std::get_if<HttpFailure>(&sent)) {
        return gateway_error(GatewayFailure::kUnavailable, "transport", failure->message);
    }
    const auto& response = std::get<HttpResponse>(sent);
    if (response.status != 200) {
        return gateway_error(GatewayFailure::kUnavailable, "HTTP_" + std::to_string(response.status), "");
    }
    auto doc = parse_flat_xml(response.body);
    if (!doc.ok()) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", doc.error().message);
    }
    const FlatXml& answer = doc.value();
    if (field(answer, "return_code") != "SUCCESS") {
        // return_code FAIL is about the call itself (signature, parameters): not worth repeating.
        return gateway_error(GatewayFailure::kRejected, "FAIL", trim_utf8(field(answer, "return_msg"), 200));
    }
    if (auto problem = document_problem(answer); !problem.empty()) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response_signature", problem);
    }
    if (field(answer, "result_code") != "SUCCESS") {
        const std::string code = field(answer, "err_code");
        return gateway_error(failure_for_code(code), code, trim_utf8(field(answer, "err_code_des"), 200));
    }
    return answer;
}

ports::GatewayResult<ports::NativePayment> V2Gateway::create_native(const ports::NativePaymentRequest& request) {
    FlatXml f;
    f["body"] = trim_utf8(request.description, kBodyBytes);
    f["out_trade_no"] = request.out_trade_no;
    f["total_fee"] = std::to_string(request.total);
    f["spbill_create_ip"] = request.client_ip.empty() ? "127.0.0.1" : request.client_ip;
    f["time_expire"] = format_compact_china(request.expires_at);
    f["notify_url"] = settings_.notify_url;
    f["trade_type"] = "NATIVE";
    f["product_id"] = request.out_trade_no;
    auto result = call("/pay/unifiedorder", std::move(f));
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& doc = std::get<FlatXml>(result);
    std::string code_url = field(doc, "code_url");
    if (code_url.rfind("weixin://", 0) != 0) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "no code_url in the answer");
    }
    return ports::NativePayment{std::move(code_url), field(doc, "prepay_id")};
}

ports::GatewayResult<ports::Transaction> V2Gateway::query(const std::string& out_trade_no) {
    if (!valid_trade_no(out_trade_no)) {
        return gateway_error(GatewayFailure::kNotFound, "ORDERNOTEXIST", "malformed out_trade_no");
    }
    auto result = call("/pay/orderquery", FlatXml{{"out_trade_no", out_trade_no}});
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& doc = std::get<FlatXml>(result);
    auto tx = to_transaction(doc);
    tx.state_text = field(doc, "trade_state");
    tx.state = parse_trade_state(tx.state_text);
    if (tx.out_trade_no != out_trade_no) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "answer names another trade");
    }
    return tx;
}

ports::GatewayResult<std::monostate> V2Gateway::close(const std::string& out_trade_no) {
    if (!valid_trade_no(out_trade_no)) {
        return std::monostate{};
    }
    auto result = call("/pay/closeorder", FlatXml{{"out_trade_no", out_trade_no}});
    if (auto* error = std::get_if<GatewayError>(&result)) {
        if (error->failure == GatewayFailure::kNotFound || error->failure == GatewayFailure::kClosed) {
            return std::monostate{};
        }
        return std::move(*error);
    }
    return std::monostate{};
}

ports::GatewayResult<ports::Refund> V2Gateway::refund(const ports::RefundRequest& request) {
    FlatXml f;
    if (!request.transaction_id.empty()) {
        f["transaction_id"] = request.transaction_id;
    }
    f["out_trade_no"] = request.out_trade_no;
    f["out_refund_no"] = request.out_refund_no;
    f["total_fee"] = std::to_string(request.total);
    f["refund_fee"] = std::to_string(request.refund);
    f["refund_desc"] = trim_utf8(request.reason, 80);
    auto result = call("/secapi/pay/refund", std::move(f));
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& doc = std::get<FlatXml>(result);
    ports::Refund r;
    r.mch_id = field(doc, "mch_id");
    r.out_trade_no = field(doc, "out_trade_no");
    r.out_refund_no = field(doc, "out_refund_no");
    r.refund_id = field(doc, "refund_id");
    r.refund = fen(doc, "refund_fee");
    r.total = fen(doc, "total_fee");
    // APIv2 accepts the refund here; whether the money moved is learnt by refundquery.
    r.state = ports::RefundState::kProcessing;
    r.state_text = "PROCESSING";
    if (r.out_refund_no != request.out_refund_no) {
        return gateway_error(GatewayFailure::kUnavailable, "bad_response", "answer names another refund");
    }
    return r;
}

ports::GatewayResult<ports::Refund> V2Gateway::query_refund(const std::string& out_refund_no) {
    if (!valid_refund_no(out_refund_no)) {
        return gateway_error(GatewayFailure::kNotFound, "REFUNDNOTEXIST", "malformed out_refund_no");
    }
    auto result = call("/pay/refundquery", FlatXml{{"out_refund_no", out_refund_no}});
    if (auto* error = std::get_if<GatewayError>(&result)) {
        return std::move(*error);
    }
    const auto& doc = std::get<FlatXml>(result);
    // The answer lists the trade's refunds as out_refund_no_$n; find ours.
    const Cents count = fen(doc, "refund_count");
    for (Cents n = 0; n < count && n < 50; ++n) {
        const std::string suffix = "_" + std::to_string(n);
        if (field(doc, "out_refund_no" + suffix) != out_refund_no) {
            continue;
        }
        ports::Refund r;
        r.mch_id = field(doc, "mch_id");
        r.out_trade_no = field(doc, "out_trade_no");
        r.out_refund_no = out_refund_no;
        r.refund_id = field(doc, "refund_id" + suffix);
        r.refund = fen(doc, "refund_fee" + suffix);
        r.total = fen(doc, "total_fee");
        r.state_text = field(doc, "refund_status" + suffix);
        r.state = parse_refund_state(r.state_text);
        if (auto t = parse_compact_china(field(doc, "refund_success_time" + suffix))) {
            r.success_time = *t;
        }
        return r;
    }
    return gateway_error(GatewayFailure::kNotFound, "REFUNDNOTEXIST", "refund not in the answer");
}

Result<ports::VerifiedNotification> V2Gateway::verify_notification(const ports::IncomingNotification& n) {
    auto refuse = [](std::string why) {
        return make_error(ErrorCode::kBadRequest, std::move(why));
    };
    if (n.body.size() > settings_.max_notification_bytes) {
        return refuse("notification body over the size limit");
    }
    FlatXmlLimits limits;
    limits.max_bytes = settings_.max_notification_bytes;
    auto parsed = parse_flat_xml(n.body, limits);
    if (!parsed.ok()) {
        return refuse("notification is not a flat <xml> document: " + parsed.error().message);
    }
    const FlatXml& doc = parsed.value();
    if (doc.count("req_info") != 0) {
        return refuse("APIv2 refund notifications are not used; refunds are settled by query");
    }
    if (field(doc, "return_code") != "SUCCESS") {
        return refuse("return_code is not SUCCESS");
    }
    if (auto problem = document_problem(doc); !problem.empty()) {
        return refuse(problem);
    }
    auto tx = to_transaction(doc);
    if (!valid_trade_no(tx.out_trade_no) || tx.total < 0) {
        return refuse("notification lacks out_trade_no or total_fee");
    }
    if (field(doc, "result_code") == "SUCCESS") {
        tx.state = ports::TradeState::kSuccess;
        tx.state_text = "SUCCESS";
    } else {
        tx.state = ports::TradeState::kPayError;
        tx.state_text = "PAYERROR";
    }
    ports::VerifiedNotification out;
    out.id = trim_utf8(tx.transaction_id, 64);
    out.event = std::move(tx);
    return out;
}

ports::NotificationAnswer V2Gateway::answer_notification(bool accepted, const std::string& reason) const {
    FlatXml answer;
    answer["return_code"] = accepted ? "SUCCESS" : "FAIL";
    answer["return_msg"] = accepted ? "OK" : trim_utf8(reason, 200);
    return ports::NotificationAnswer{200, "text/xml; charset=utf-8", write_flat_xml(answer)};
}

}  // namespace gomall::wechatpay
