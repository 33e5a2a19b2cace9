// /emulator/...: what a test needs beyond WeChat's own API. Pay without a browser (optionally
// spoiling the notification), send a notification about any order, read back what the emulator
// knows and every delivery attempt. Unsigned JSON; errors in WeChat's {"code","message"} shape.
#include <string>

#include <boost/json/serialize.hpp>

#include "emulator/json_fields.hpp"
#include "emulator/routes.hpp"
#include "emulator/trade_views.hpp"
#include "emulator/wire_format.hpp"

namespace gomall::emulator {
namespace {

constexpr std::int64_t kMaxFen = 100'000'000'000;

http::Response json(int status, const boost::json::object& body) {
    http::Response res;
    res.status = status;
    res.body = boost::json::serialize(body);
    return res;
}

http::Response error(int status, std::string_view code, std::string_view message) {
    return json(status, {{"code", code}, {"message", message}});
}

http::Response problem_response(TradeProblem problem) {
    switch (problem) {
        case TradeProblem::kNotFound:
            return error(404, "ORDER_NOT_EXIST", "no such out_trade_no");
        case TradeProblem::kPaid:
            return error(409, "ORDERPAID", "the order is paid already");
        case TradeProblem::kClosed:
            return error(409, "ORDER_CLOSED", "the order is closed (pass ignore_closed to pay it anyway)");
        case TradeProblem::kExpired:
            return error(409, "ORDER_EXPIRED", "the order is past time_expire (pass ignore_closed to pay it anyway)");
        default:
            break;
    }
    return error(400, "INVALID_REQUEST", "refused");
}

/// Reads "tamper" and checks it against the protocol; the error answer when it does not fit.
std::variant<Tamper, http::Response> read_tamper(JsonFields& f, Protocol protocol) {
    const std::string name = f.text("tamper", 32, false);
    if (!f.ok()) {
        return error(400, "PARAM_ERROR", f.problem());
    }
    auto tamper = parse_tamper(name);
    if (!tamper) {
        return error(
            400,
            "PARAM_ERROR",
            "tamper must be one of bad_signature, wrong_mchid, wrong_appid, "
            "stale_timestamp, truncated_ciphertext, wrong_currency"
        );
    }
    if (!tamper_applies(*tamper, protocol)) {
        return error(400, "PARAM_ERROR", "tamper " + name + " needs an APIv3 notification (APIv2 has no such part)");
    }
    return *tamper;
}

http::Response pay(const http::Request& req, WechatPayEmulator& emulator) {
    auto body = parse_json_object(req.body);
    if (!body.ok()) {
        return error(400, "PARAM_ERROR", body.error().message);
    }
    JsonFields f(body.value());
    const std::string out_trade_no = f.text("out_trade_no", 64);
    PayOptions options;
    options.amount = f.integer("amount", 1, kMaxFen, false);
    options.ignore_closed = f.boolean("ignore_closed").value_or(false);
    const bool duplicate = f.boolean("duplicate").value_or(false);
    if (!f.ok()) {
        return error(400, "PARAM_ERROR", f.problem());
    }
    const auto trade = emulator.trades().find(out_trade_no);
    if (!trade) {
        return problem_response(TradeProblem::kNotFound);
    }
    auto tamper = read_tamper(f, trade->protocol);
    if (auto* refusal = std::get_if<http::Response>(&tamper)) {
        return std::move(*refusal);
    }
    auto outcome = emulator.pay(out_trade_no, options, std::get<Tamper>(tamper), duplicate);
    if (const auto* problem = std::get_if<TradeProblem>(&outcome)) {
        return problem_response(*problem);
    }
    const auto& paid = std::get<Trade>(outcome);
    return json(
        200,
        {{"protocol", protocol_name(paid.protocol)},
         {"transaction", v3_transaction_json(paid)},
         {"notifications_queued", duplicate ? 2 : 1}}
    );
}

http::Response notify(const http::Request& req, WechatPayEmulator& emulator) {
    auto body = parse_json_object(req.body);
    if (!body.ok()) {
        return error(400, "PARAM_ERROR", body.error().message);
    }
    JsonFields f(body.value());
    Trade trade;
    trade.out_trade_no = f.text("out_trade_no", 64);
    trade.notify_url = f.text("notify_url", 1024);
    const std::string protocol = f.text("protocol", 2);
    trade.total = f.integer("amount", 1, kMaxFen).value_or(0);
    const std::string sign_type = f.text("sign_type", 16, false);
    if (!f.ok()) {
        return error(400, "PARAM_ERROR", f.problem());
    }
    if (protocol != "v3" && protocol != "v2") {
        return error(400, "PARAM_ERROR", "protocol must be v3 or v2");
    }
    trade.protocol = protocol == "v3" ? Protocol::kV3 : Protocol::kV2;
    if (!sign_type.empty()) {
        auto type = wechatpay::parse_v2_sign_type(sign_type);
        if (!type) {
            return error(400, "PARAM_ERROR", "sign_type must be MD5 or HMAC-SHA256");
        }
        trade.sign_type = *type;
    }
    auto tamper = read_tamper(f, trade.protocol);
    if (auto* refusal = std::get_if<http::Response>(&tamper)) {
        return std::move(*refusal);
    }
    trade.app_id = emulator.settings().app_id;
    trade.mch_id = emulator.settings().mch_id;
    trade.state = TradeState::kSuccess;
    trade.payer_total = trade.total;
    trade.transaction_id = new_transaction_id();
    trade.openid = new_openid();
    trade.created_at = emulator.now();
    trade.success_time = trade.created_at;
    emulator.notify(trade, std::get<Tamper>(tamper));
    return json(200, {{"queued", true}, {"transaction_id", trade.transaction_id}});
}

boost::json::array delivery_log(const std::vector<DeliveryRecord>& records) {
    boost::json::array out;
    for (const auto& d : records) {
        out.push_back(boost::json::object{
            {"attempt", d.attempt},
            {"status", d.status},
            {"answer", d.answer},
            {"at", format_rfc3339_china(d.at)},
            {"event", d.event},
            {"delivered", d.delivered},
        });
    }
    return out;
}

http::Response show(const http::Request& req, const WechatPayEmulator& emulator) {
    const auto no = req.param("out_trade_no");
    const auto trade = emulator.trades().find(no);
    auto deliveries = emulator.trades().deliveries(no);
    if (!trade && deliveries.empty()) {
        return problem_response(TradeProblem::kNotFound);
    }
    boost::json::object out{{"out_trade_no", no}, {"known", trade.has_value()}};
    if (trade) {
        out["protocol"] = protocol_name(trade->protocol);
        out["trade_state"] = trade_state_name(trade->state);
        out["description"] = trade->description;
        out["total"] = trade->total;
        out["payer_total"] = trade->payer_total;
        out["refunded"] = trade->refunded;
        out["currency"] = trade->currency;
        out["notify_url"] = trade->notify_url;
        out["code_url"] = WechatPayEmulator::code_url(*trade);
        out["scan_url"] = emulator.scan_url(*trade);
        out["prepay_id"] = trade->prepay_id;
        out["transaction_id"] = trade->transaction_id;
        out["created_at"] = format_rfc3339_china(trade->created_at);
        out["time_expire"] = trade->expires_at ? boost::json::value(format_rfc3339_china(*trade->expires_at)) : nullptr;
        out["success_time"] =
            trade->success_time ? boost::json::value(format_rfc3339_china(*trade->success_time)) : nullptr;
        boost::json::array refunds;
        for (const auto& r : emulator.trades().refunds_of(no)) {
            refunds.push_back(v3_refund_json(r));
        }
        out["refunds"] = std::move(refunds);
    }
    out["deliveries"] = delivery_log(deliveries);
    return json(200, out);
}

}  // namespace

void register_test_routes(http::Router& router, WechatPayEmulator& emulator) {
    http::RouteOptions options;
    options.body_limit = kBodyLimit;
    router.post(
        "/emulator/pay", [&emulator](http::Request& req) { return pay(req, emulator); }, options
    );
    router.post(
        "/emulator/notify", [&emulator](http::Request& req) { return notify(req, emulator); }, options
    );
    router.get(
        "/emulator/transactions/:out_trade_no", [&emulator](http::Request& req) { return show(req, emulator); }, options
    );
    router.get(
        "/emulator/health",
        [&emulator](http::Request&) {
            const auto held = emulator.trades().counts();
            return json(
                200,
                {{"status", "ok"},
                 {"pending_notifications", emulator.pending_notifications()},
                 {"base_url", emulator.public_base_url()},
                 {"trades",
                  {{"held", held.trades},
                   {"live", held.live},
                   {"refunds", held.refunds},
                   {"evicted", held.evicted},
                   {"max_trades", emulator.settings().max_trades},
                   {"max_refunds", emulator.settings().max_refunds}}}}
            );
        },
        options
    );
}

}  // namespace gomall::emulator
