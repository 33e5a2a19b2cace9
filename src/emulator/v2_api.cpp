// APIv2: flat XML in and out, signed with the APIv2 key (MD5 unless the request says
// sign_type HMAC-SHA256; the answer is signed the same way). Like WeChat, every answer is HTTP
// 200: return_code says whether the call was understood (FAIL answers are not signed),
// result_code whether the business part succeeded.
#include <functional>
#include <string>
#include <variant>

#include <spdlog/spdlog.h>

#include "adapters/wechatpay/crypto.hpp"
#include "adapters/wechatpay/flat_xml.hpp"
#include "adapters/wechatpay/v2_sign.hpp"
#include "emulator/routes.hpp"
#include "emulator/trade_views.hpp"
#include "emulator/wire_format.hpp"

namespace gomall::emulator {
namespace {

using wechatpay::FlatXml;

constexpr Cents kMaxFen = 100'000'000'000;
constexpr std::size_t kNonceLength = 32;
constexpr std::size_t kMaxRefundsListed = 10;  // WeChat pages refund lists by ten

struct V2Request {
    FlatXml fields;
    wechatpay::V2SignType sign_type = wechatpay::V2SignType::kMd5;

    std::string get(const std::string& name) const {
        auto it = fields.find(name);
        return it == fields.end() ? std::string{} : it->second;
    }
};

/// The business outcome: result_code SUCCESS with `fields`, or FAIL with err_code.
struct V2Result {
    FlatXml fields;
    std::string err_code;  // empty = SUCCESS
    std::string err_code_des;
};

V2Result fail(std::string code, std::string description) {
    return V2Result{{}, std::move(code), std::move(description)};
}

http::Response xml_response(const FlatXml& fields) {
    http::Response res;
    res.content_type = "text/xml; charset=utf-8";
    res.body = wechatpay::write_flat_xml(fields);
    return res;
}

http::Response return_fail(std::string message) {
    return xml_response({{"return_code", "FAIL"}, {"return_msg", std::move(message)}});
}

/// Parses and authenticates the request; the return_code FAIL answer when that fails.
std::variant<V2Request, http::Response> accept(const http::Request& req, const WechatPayEmulator& emulator) {
    auto parsed = wechatpay::parse_flat_xml(req.body);
    if (!parsed.ok()) {
        return return_fail("XML格式错误: " + parsed.error().message);
    }
    V2Request request{std::move(parsed.value())};
    const auto& settings = emulator.settings();
    if (request.get("mch_id").empty()) {
        return return_fail("mch_id参数缺失");
    }
    if (request.get("mch_id") != settings.mch_id) {
        return return_fail("mch_id参数格式错误");
    }
    if (request.get("appid") != settings.app_id) {
        return return_fail("appid和mch_id不匹配");
    }
    if (request.get("nonce_str").empty() || request.get("nonce_str").size() > kNonceLength) {
        return return_fail("nonce_str参数格式错误");
    }
    if (const auto type = request.get("sign_type"); !type.empty()) {
        auto parsed_type = wechatpay::parse_v2_sign_type(type);
        if (!parsed_type) {
            return return_fail("sign_type参数格式错误");
        }
        request.sign_type = *parsed_type;
    }
    if (!wechatpay::v2_verify(request.fields, settings.api_v2_key, request.sign_type)) {
        return return_fail("签名错误");
    }
    return request;
}

http::Response signed_answer(const WechatPayEmulator& emulator, const V2Request& request, V2Result result) {
    FlatXml out = std::move(result.fields);
    out["return_code"] = "SUCCESS";
    out["return_msg"] = "OK";
    out["appid"] = emulator.settings().app_id;
    out["mch_id"] = emulator.settings().mch_id;
    out["nonce_str"] = wechatpay::random_nonce(kNonceLength);
    out["result_code"] = result.err_code.empty() ? "SUCCESS" : "FAIL";
    if (!result.err_code.empty()) {
        out["err_code"] = result.err_code;
        out["err_code_des"] = result.err_code_des;
    }
    out["sign"] = wechatpay::v2_sign(out, emulator.settings().api_v2_key, request.sign_type);
    return xml_response(out);
}

using V2Handler = std::function<V2Result(const V2Request&, WechatPayEmulator&)>;

http::Handler v2_route(WechatPayEmulator& emulator, V2Handler handler) {
    return [&emulator, handler = std::move(handler)](http::Request& req) {
        auto accepted = accept(req, emulator);
        if (auto* refusal = std::get_if<http::Response>(&accepted)) {
            return std::move(*refusal);
        }
        const auto& request = std::get<V2Request>(accepted);
        V2Result result;
        try {
            result = handler(request, emulator);
        } catch (const std::exception& e) {
            spdlog::error("emulator: {} failed: {}", req.path, e.what());
            result = fail("SYSTEMERROR", "系统错误");
        }
        return signed_answer(emulator, request, std::move(result));
    };
}

/// A positive amount in fen, digits only.
std::optional<Cents> parse_fen(const std::string& text) {
    if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    const Cents value = std::stoll(text);
    if (value < 1 || value > kMaxFen) {
        return std::nullopt;
    }
    return value;
}

V2Result problem_result(TradeProblem problem) {
    switch (problem) {
        case TradeProblem::kNotFound:
            return fail("ORDERNOTEXIST", "此交易订单号不存在");
        case TradeProblem::kAmountMismatch:
            return fail("INVALID_REQUEST", "201 商户订单号重复");
        case TradeProblem::kPaid:
            return fail("ORDERPAID", "该订单已支付");
        case TradeProblem::kClosed:
        case TradeProblem::kExpired:
            return fail("ORDERCLOSED", "该订单已关闭");
        case TradeProblem::kNotPaid:
            return fail("ERROR", "订单未支付，不能退款");
        case TradeProblem::kNotEnough:
            return fail("NOTENOUGH", "可退金额不足");
        case TradeProblem::kTotalMismatch:
            return fail("INVALID_REQUEST", "订单金额与total_fee不一致");
        case TradeProblem::kRefundNoTaken:
            return fail("INVALID_REQUEST", "out_refund_no已用于另一笔订单");
        case TradeProblem::kRefundLimit:
            return fail("ERROR", "超过最大退款次数");
        case TradeProblem::kFull:
            // WeChat's answer when it sheds load: retryable with the same parameters.
            return fail("SYSTEMERROR", "系统繁忙，请稍后再试");
    }
    return fail("SYSTEMERROR", "系统错误");
}

/// The trade a query names by transaction_id (preferred, as WeChat does) or out_trade_no.
std::optional<Trade> named_trade(const V2Request& request, const WechatPayEmulator& emulator) {
    if (const auto id = request.get("transaction_id"); !id.empty()) {
        return emulator.trades().find_by_transaction_id(id);
    }
    return emulator.trades().find(request.get("out_trade_no"));
}

V2Result unified_order(const V2Request& request, WechatPayEmulator& emulator) {
    for (const char* name : {"body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type"}) {
        if (request.get(name).empty()) {
            return fail("PARAM_ERROR", std::string("缺少参数") + name);
        }
    }
    if (request.get("trade_type") != "NATIVE") {
        return fail("PARAM_ERROR", "the emulator knows trade_type NATIVE only");
    }
    if (request.get("product_id").empty()) {
        return fail("PARAM_ERROR", "trade_type=NATIVE时，product_id为必填参数");
    }
    const auto total = parse_fen(request.get("total_fee"));
    if (!total) {
        return fail("PARAM_ERROR", "total_fee参数格式错误");
    }
    if (const auto fee_type = request.get("fee_type"); !fee_type.empty() && fee_type != "CNY") {
        return fail("PARAM_ERROR", "fee_type参数格式错误");
    }
    Trade draft;
    draft.protocol = Protocol::kV2;
    draft.sign_type = request.sign_type;
    draft.app_id = request.get("appid");
    draft.mch_id = request.get("mch_id");
    draft.description = request.get("body");
    draft.out_trade_no = request.get("out_trade_no");
    draft.notify_url = request.get("notify_url");
    draft.product_id = request.get("product_id");
    draft.client_ip = request.get("spbill_create_ip");
    draft.total = *total;
    draft.created_at = emulator.now();
    if (draft.out_trade_no.size() > 32 || draft.description.size() > 128) {
        return fail("PARAM_ERROR", "out_trade_no或body参数长度有误");
    }
    if (const auto expire = request.get("time_expire"); !expire.empty()) {
        draft.expires_at = parse_compact_china(expire);
        if (!draft.expires_at) {
            return fail("PARAM_ERROR", "time_expire参数格式错误 (yyyyMMddHHmmss)");
        }
        if (*draft.expires_at <= draft.created_at) {
            return fail("PARAM_ERROR", "time_expire时间过短");
        }
    }
    auto outcome = emulator.trades().create(std::move(draft));
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        return problem_result(*problem);
    }
    const auto& trade = std::get<Trade>(outcome);
    return V2Result{
        {{"trade_type", "NATIVE"}, {"prepay_id", trade.prepay_id}, {"code_url", WechatPayEmulator::code_url(trade)}},
        {},
        {}};
}

V2Result order_query(const V2Request& request, WechatPayEmulator& emulator) {
    if (request.get("transaction_id").empty() && request.get("out_trade_no").empty()) {
        return fail("PARAM_ERROR", "transaction_id或out_trade_no必填");
    }
    auto trade = named_trade(request, emulator);
    if (!trade) {
        return problem_result(TradeProblem::kNotFound);
    }
    return V2Result{v2_order_fields(*trade), {}, {}};
}

V2Result close_order(const V2Request& request, WechatPayEmulator& emulator) {
    if (request.get("out_trade_no").empty()) {
        return fail("PARAM_ERROR", "缺少参数out_trade_no");
    }
    auto outcome = emulator.trades().close(request.get("out_trade_no"));
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        if (*problem == TradeProblem::kPaid) {
            return fail("ORDERPAID", "订单已支付，不能发起关单");
        }
        return problem_result(*problem);
    }
    return V2Result{};
}

V2Result refund(const V2Request& request, WechatPayEmulator& emulator) {
    if (request.get("transaction_id").empty() && request.get("out_trade_no").empty()) {
        return fail("PARAM_ERROR", "transaction_id或out_trade_no必填");
    }
    const auto out_refund_no = request.get("out_refund_no");
    const auto total = parse_fen(request.get("total_fee"));
    const auto amount = parse_fen(request.get("refund_fee"));
    if (out_refund_no.empty() || out_refund_no.size() > 64) {
        return fail("PARAM_ERROR", "out_refund_no参数格式错误");
    }
    if (!total || !amount) {
        return fail("PARAM_ERROR", "total_fee或refund_fee参数格式错误");
    }
    auto trade = named_trade(request, emulator);
    if (!trade) {
        return problem_result(TradeProblem::kNotFound);
    }
    NewRefund order;
    order.out_trade_no = trade->out_trade_no;
    order.out_refund_no = out_refund_no;
    order.reason = request.get("refund_desc");
    order.refund = *amount;
    order.total = *total;
    // APIv2 refund notifications carry an AES-256-ECB req_info the emulator does not produce: the
    // shop learns the outcome from this answer and /pay/refundquery.
    auto outcome = emulator.trades().refund(order, emulator.now());
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        return problem_result(*problem);
    }
    const auto& done = std::get<RefundOutcome>(outcome);
    const auto& r = done.refund;
    return V2Result{
        {
            {"transaction_id", r.transaction_id},
            {"out_trade_no", r.out_trade_no},
            {"out_refund_no", r.out_refund_no},
            {"refund_id", r.refund_id},
            {"refund_fee", std::to_string(r.refund)},
            {"settlement_refund_fee", std::to_string(r.refund)},
            {"total_fee", std::to_string(r.total)},
            {"settlement_total_fee", std::to_string(r.total)},
            {"fee_type", r.currency},
            {"cash_fee", std::to_string(r.payer_total)},
            {"cash_refund_fee", std::to_string(r.refund)},
            {"coupon_refund_fee", "0"},
            {"coupon_refund_count", "0"},
        },
        {},
        {}};
}

V2Result refund_query(const V2Request& request, WechatPayEmulator& emulator) {
    std::vector<RefundRecord> refunds;
    std::optional<Trade> trade;
    if (const auto no = request.get("out_refund_no"); !no.empty()) {
        auto one = emulator.trades().find_refund(no);
        if (one) {
            trade = emulator.trades().find(one->out_trade_no);
            refunds.push_back(std::move(*one));
        }
    } else if (!request.get("transaction_id").empty() || !request.get("out_trade_no").empty()) {
        trade = named_trade(request, emulator);
        if (trade) {
            refunds = emulator.trades().refunds_of(trade->out_trade_no);
        }
    } else {
        return fail("PARAM_ERROR", "out_refund_no、out_trade_no或transaction_id必填");
    }
    if (!trade || refunds.empty()) {
        return fail("REFUNDNOTEXIST", "退款订单查询失败");
    }
    const auto total_count = refunds.size();
    if (refunds.size() > kMaxRefundsListed) {
        refunds.resize(kMaxRefundsListed);
    }
    auto fields = v2_refund_query_fields(*trade, refunds);
    fields["total_refund_count"] = std::to_string(total_count);
    return V2Result{std::move(fields), {}, {}};
}

}  // namespace

void register_v2_routes(http::Router& router, WechatPayEmulator& emulator) {
    http::RouteOptions options;
    options.body_limit = kBodyLimit;
    router.post("/pay/unifiedorder", v2_route(emulator, unified_order), options);
    router.post("/pay/orderquery", v2_route(emulator, order_query), options);
    router.post("/pay/closeorder", v2_route(emulator, close_order), options);
    router.post("/secapi/pay/refund", v2_route(emulator, refund), options);
    router.post("/pay/refundquery", v2_route(emulator, refund_query), options);
}

}  // namespace gomall::emulator
