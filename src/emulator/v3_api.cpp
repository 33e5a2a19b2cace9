// APIv3: JSON requests signed by the merchant (Authorization: WECHATPAY2-SHA256-RSA2048 ...),
// JSON answers signed by the platform. Every answer is signed, errors included, as WeChat's are.
#include <functional>
#include <string>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "adapters/wechatpay/v3_sign.hpp"
#include "emulator/json_fields.hpp"
#include "emulator/routes.hpp"
#include "emulator/trade_views.hpp"
#include "emulator/wire_format.hpp"
#include "http/pipeline.hpp"

namespace gomall::emulator {
namespace {

constexpr std::int64_t kMaxFen = 100'000'000'000;  // far above any real order; keeps sums in range
constexpr std::size_t kMaxUrlChars = 256;

struct V3Answer {
    int status = 200;
    std::string body;  // empty for 204
};

V3Answer json_answer(const boost::json::object& object, int status = 200) {
    return V3Answer{status, boost::json::serialize(object)};
}

V3Answer error_answer(int status, std::string_view code, std::string_view message) {
    return json_answer(boost::json::object{{"code", code}, {"message", message}}, status);
}

V3Answer param_error(const std::string& message) {
    return error_answer(400, "PARAM_ERROR", message);
}

http::Response signed_response(const WechatPayEmulator& emulator, V3Answer answer) {
    http::Response res;
    res.status = answer.status;
    res.content_type = answer.body.empty() ? "" : "application/json";
    const auto headers = v3_signature_headers(
        emulator.platform_key(), emulator.settings().platform_serial_no, to_unix_seconds(emulator.now()), answer.body
    );
    for (const auto& [name, value] : headers) {
        res.set_header(name, value);
    }
    res.set_header("Request-ID", http::random_hex(16));
    res.body = std::move(answer.body);
    return res;
}

/// Why the request's Authorization does not prove it comes from the merchant; nullopt if it does.
std::optional<std::string> authorization_problem(const http::Request& req, const WechatPayEmulator& emulator) {
    const auto header = req.header("authorization");
    if (header.empty()) {
        return "Authorization header is missing";
    }
    auto auth = wechatpay::parse_v3_authorization(header);
    if (!auth) {
        return "Authorization is not WECHATPAY2-SHA256-RSA2048 with mchid, nonce_str, signature, timestamp, serial_no";
    }
    const auto& settings = emulator.settings();
    if (auth->mchid != settings.mch_id) {
        return "mchid in Authorization is not this merchant";
    }
    if (auth->serial_no != settings.merchant_serial_no) {
        return "serial_no in Authorization is not the merchant certificate's";
    }
    if (!wechatpay::v3_timestamp_fresh(auth->timestamp, to_unix_seconds(emulator.now()))) {
        return "timestamp in Authorization is more than 5 minutes away";
    }
    const auto message = wechatpay::v3_request_message(
        http::method_name(req.method), req.target, auth->timestamp, auth->nonce_str, req.body
    );
    if (!emulator.merchant_key().verify_sha256(message, auth->signature)) {
        return "signature does not verify with the merchant's key";
    }
    return std::nullopt;
}

using V3Handler = std::function<V3Answer(const http::Request&, WechatPayEmulator&)>;

/// Checks the signature, runs `handler`, signs its answer. An exception is a 500 SYSTEM_ERROR
/// (the emulator's own bug), still signed, so the shop sees a well-formed WeChat failure.
http::Handler v3_route(WechatPayEmulator& emulator, V3Handler handler) {
    return [&emulator, handler = std::move(handler)](http::Request& req) {
        if (auto problem = authorization_problem(req, emulator)) {
            return signed_response(emulator, error_answer(401, "SIGN_ERROR", "签名错误: " + *problem));
        }
        V3Answer answer;
        try {
            answer = handler(req, emulator);
        } catch (const std::exception& e) {
            spdlog::error("emulator: {} {} failed: {}", http::method_name(req.method), req.path, e.what());
            answer = error_answer(500, "SYSTEM_ERROR", "系统错误");
        }
        return signed_response(emulator, std::move(answer));
    };
}

bool valid_out_trade_no(std::string_view no) {
    // WeChat: 6 to 32 characters of digits, letters and _-|*.
    return no.size() >= 6 && no.size() <= 32 &&
           no.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-|*") ==
               std::string_view::npos;
}

bool http_url(std::string_view url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

V3Answer problem_answer(TradeProblem problem) {
    switch (problem) {
        case TradeProblem::kNotFound:
            return error_answer(404, "ORDER_NOT_EXIST", "订单不存在");
        case TradeProblem::kAmountMismatch:
            return error_answer(400, "INVALID_REQUEST", "201 商户订单号重复: out_trade_no exists with another amount");
        case TradeProblem::kPaid:
            return error_answer(400, "ORDERPAID", "该订单已支付");
        case TradeProblem::kClosed:
        case TradeProblem::kExpired:
            return error_answer(400, "ORDER_CLOSED", "订单已关闭");
        case TradeProblem::kNotPaid:
            return error_answer(400, "INVALID_REQUEST", "订单未支付，不能退款");
        case TradeProblem::kNotEnough:
            return error_answer(400, "NOT_ENOUGH", "可退金额不足");
        case TradeProblem::kTotalMismatch:
            return error_answer(400, "INVALID_REQUEST", "amount.total does not match the order's total");
        case TradeProblem::kRefundNoTaken:
            return error_answer(400, "INVALID_REQUEST", "out_refund_no belongs to another order");
        case TradeProblem::kRefundLimit:
            return error_answer(400, "INVALID_REQUEST", "超过最大退款次数: a payment takes at most 50 refunds");
        case TradeProblem::kFull:
            // WeChat's answer when it sheds load: retryable, the same request may pass later.
            return error_answer(429, "FREQUENCY_LIMITED", "频率超限: every order the emulator holds is still open");
    }
    return error_answer(500, "SYSTEM_ERROR", "系统错误");
}

/// The merchant named in a body or query must be the one that signed.
std::optional<V3Answer> wrong_merchant(const WechatPayEmulator& emulator, std::string_view mchid) {
    if (mchid != emulator.settings().mch_id) {
        return param_error("mchid is not the merchant that signed the request");
    }
    return std::nullopt;
}

V3Answer create_native(const http::Request& req, WechatPayEmulator& emulator) {
    auto body = parse_json_object(req.body);
    if (!body.ok()) {
        return param_error(body.error().message);
    }
    JsonFields f(body.value());
    Trade draft;
    draft.protocol = Protocol::kV3;
    draft.app_id = f.text("appid", 32);
    draft.mch_id = f.text("mchid", 32);
    draft.description = f.text("description", 127);
    draft.out_trade_no = f.text("out_trade_no", 32);
    draft.notify_url = f.text("notify_url", kMaxUrlChars);
    const std::string time_expire = f.text("time_expire", 64, false);
    const auto* amount = f.object("amount");
    if (amount != nullptr) {
        JsonFields a(*amount);
        draft.total = a.integer("total", 1, kMaxFen).value_or(0);
        const std::string currency = a.text("currency", 16, false);
        if (!currency.empty() && currency != "CNY") {
            a.fail("amount.currency must be CNY");
        }
        if (!a.ok()) {
            f.fail("amount: " + a.problem());
        }
    }
    if (!f.ok()) {
        return param_error(f.problem());
    }
    if (auto wrong = wrong_merchant(emulator, draft.mch_id)) {
        return *wrong;
    }
    if (draft.app_id != emulator.settings().app_id) {
        return error_answer(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
    }
    if (!valid_out_trade_no(draft.out_trade_no)) {
        return param_error("out_trade_no must be 6 to 32 characters of [0-9A-Za-z_-|*]");
    }
    if (!http_url(draft.notify_url)) {
        return param_error("notify_url must be an http or https URL");
    }
    draft.created_at = emulator.now();
    if (!time_expire.empty()) {
        draft.expires_at = parse_iso8601(time_expire);
        if (!draft.expires_at) {
            return param_error("time_expire must be RFC 3339, e.g. 2018-06-08T10:34:56+08:00");
        }
        if (*draft.expires_at <= draft.created_at) {
            return param_error("time_expire is in the past");
        }
    }
    auto outcome = emulator.trades().create(std::move(draft));
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        return problem_answer(*problem);
    }
    return json_answer({{"code_url", WechatPayEmulator::code_url(std::get<Trade>(outcome))}});
}

V3Answer query_answer(const http::Request& req, const WechatPayEmulator& emulator, const std::optional<Trade>& trade) {
    const auto mchid = req.query_param("mchid");
    if (!mchid) {
        return param_error("mchid is required");
    }
    if (auto wrong = wrong_merchant(emulator, *mchid)) {
        return *wrong;
    }
    if (!trade) {
        return problem_answer(TradeProblem::kNotFound);
    }
    return json_answer(v3_transaction_json(*trade));
}

V3Answer close_order(const http::Request& req, WechatPayEmulator& emulator) {
    auto body = parse_json_object(req.body);
    if (!body.ok()) {
        return param_error(body.error().message);
    }
    JsonFields f(body.value());
    const auto mchid = f.text("mchid", 32);
    if (!f.ok()) {
        return param_error(f.problem());
    }
    if (auto wrong = wrong_merchant(emulator, mchid)) {
        return *wrong;
    }
    auto outcome = emulator.trades().close(req.param("no"));
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        return problem_answer(*problem);
    }
    return V3Answer{204, {}};
}

V3Answer create_refund(const http::Request& req, WechatPayEmulator& emulator) {
    auto body = parse_json_object(req.body);
    if (!body.ok()) {
        return param_error(body.error().message);
    }
    JsonFields f(body.value());
    NewRefund request;
    request.out_trade_no = f.text("out_trade_no", 32, false);
    const std::string transaction_id = f.text("transaction_id", 32, false);
    request.out_refund_no = f.text("out_refund_no", 64);
    request.reason = f.text("reason", 80, false);
    request.notify_url = f.text("notify_url", kMaxUrlChars, false);
    static_cast<void>(f.text("funds_account", 32, false));
    const auto* amount = f.object("amount");
    if (amount != nullptr) {
        JsonFields a(*amount);
        request.refund = a.integer("refund", 1, kMaxFen).value_or(0);
        request.total = a.integer("total", 1, kMaxFen).value_or(0);
        if (a.text("currency", 16) != "CNY" && a.ok()) {
            a.fail("amount.currency must be CNY");
        }
        if (!a.ok()) {
            f.fail("amount: " + a.problem());
        }
    }
    if (!f.ok()) {
        return param_error(f.problem());
    }
    if (request.out_trade_no.empty() && transaction_id.empty()) {
        return param_error("out_trade_no or transaction_id is required");
    }
    if (!request.notify_url.empty() && !http_url(request.notify_url)) {
        return param_error("notify_url must be an http or https URL");
    }
    if (!transaction_id.empty()) {
        auto trade = emulator.trades().find_by_transaction_id(transaction_id);
        if (!trade || (!request.out_trade_no.empty() && trade->out_trade_no != request.out_trade_no)) {
            return error_answer(404, "RESOURCE_NOT_EXISTS", "订单不存在");
        }
        request.out_trade_no = trade->out_trade_no;
    }
    auto outcome = emulator.trades().refund(request, emulator.now());
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        if (*problem == TradeProblem::kNotFound) {
            return error_answer(404, "RESOURCE_NOT_EXISTS", "订单不存在");
        }
        return problem_answer(*problem);
    }
    const auto& done = std::get<RefundOutcome>(outcome);
    if (done.created) {
        emulator.refunded(done.refund);
    }
    return json_answer(v3_refund_json(done.refund));
}

}  // namespace

void register_v3_routes(http::Router& router, WechatPayEmulator& emulator) {
    http::RouteOptions options;
    options.body_limit = kBodyLimit;

    router.post("/v3/pay/transactions/native", v3_route(emulator, create_native), options);
    router.get(
        "/v3/pay/transactions/out-trade-no/:no",
        v3_route(
            emulator,
            [](const http::Request& req, WechatPayEmulator& emu) {
                return query_answer(req, emu, emu.trades().find(req.param("no")));
            }
        ),
        options
    );
    router.get(
        "/v3/pay/transactions/id/:transaction_id",
        v3_route(
            emulator,
            [](const http::Request& req, WechatPayEmulator& emu) {
                return query_answer(req, emu, emu.trades().find_by_transaction_id(req.param("transaction_id")));
            }
        ),
        options
    );
    router.post("/v3/pay/transactions/out-trade-no/:no/close", v3_route(emulator, close_order), options);
    router.post("/v3/refund/domestic/refunds", v3_route(emulator, create_refund), options);
    router.get(
        "/v3/refund/domestic/refunds/:out_refund_no",
        v3_route(
            emulator,
            [](const http::Request& req, WechatPayEmulator& emu) {
                auto refund = emu.trades().find_refund(req.param("out_refund_no"));
                if (!refund) {
                    return error_answer(404, "RESOURCE_NOT_EXISTS", "退款单不存在");
                }
                return json_answer(v3_refund_json(*refund));
            }
        ),
        options
    );
}

}  // namespace gomall::emulator
