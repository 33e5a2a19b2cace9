// Payment handlers: read the order number (JSON body or query, as the original accepted), call
// PaymentService, answer in the envelope. The notify route answers in the provider's own format.
#include "http/handlers/payment_handlers.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/time.hpp"
#include "domain/user.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::size_t kMaxOrderNoLength = 64;
constexpr std::size_t kNotifyBodyLimit = std::size_t{64} * 1024;
constexpr std::int64_t kMaxFen = 100'000'000'000;  // a billion yuan: far above any order

bool plain_order_no(std::string_view s) {
    return !s.empty() && s.size() <= kMaxOrderNoLength &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

/// The order number from `?order_no=` or a JSON body {"order_no"} (the original's clients use
/// both). A malformed one is a 404 like an unknown one: it cannot name an order.
Result<std::string> read_order_no(const Request& req) {
    std::string order_no;
    if (auto q = req.query_param("order_no")) {
        order_no = std::string(*q);
    } else if (!is_blank(req.body)) {
        auto body = JsonBody::parse(req, {"order_no", "refund_fee"});
        if (!body.ok()) {
            return body.error();
        }
        auto field = body->required_string("order_no", 1, kMaxOrderNoLength);
        if (!field.ok()) {
            return field.error();
        }
        order_no = std::move(field.value());
    } else {
        return make_error(ErrorCode::kBadRequest, "order_no: required", "order_no");
    }
    if (!plain_order_no(order_no)) {
        return make_error(ErrorCode::kOrderNotFound, "order " + order_no.substr(0, kMaxOrderNoLength) + " not found");
    }
    return order_no;
}

Result<std::int64_t> read_refund_fee(const Request& req) {
    if (req.query_param("refund_fee")) {
        return query_int(req, "refund_fee", 0, 1, kMaxFen);
    }
    if (!is_blank(req.body)) {
        auto body = JsonBody::parse(req, {"order_no", "refund_fee"});
        if (!body.ok()) {
            return body.error();
        }
        return body->required_int("refund_fee", 1, kMaxFen);
    }
    return make_error(ErrorCode::kBadRequest, "refund_fee: required (fen)", "refund_fee");
}

boost::json::object record_json(const domain::PaymentRecord& r) {
    boost::json::object out;
    out["id"] = r.id;
    out["kind"] = r.kind;
    out["provider"] = r.provider;
    out["out_trade_no"] = r.out_trade_no;
    out["transaction_id"] = r.transaction_id;
    out["out_refund_no"] = r.out_refund_no;
    out["refund_id"] = r.refund_id;
    out["amount_fee"] = r.amount;
    out["status"] = r.status;
    out["detail"] = r.detail;
    out["created_at"] = format_iso8601(r.created_at);
    return out;
}

boost::json::object refund_json(const domain::RefundEntry& r) {
    boost::json::object out;
    out["out_refund_no"] = r.out_refund_no;
    out["out_trade_no"] = r.out_trade_no;
    out["refund_id"] = r.refund_id;
    out["refund_fee"] = r.amount;
    out["status"] = std::string(domain::refund_status_name(r.status));
    out["automatic"] = r.automatic;
    out["created_at"] = format_iso8601(r.created_at);
    return out;
}

Response unified_order(Request& req, services::PaymentApi& payments) {
    GOMALL_TRY(const auto order_no, req, read_order_no(req));
    GOMALL_TRY(const auto started, req, payments.start(req.user_id(), order_no, req.client_ip));
    boost::json::object out;
    out["prepay_id"] = started.attempt.prepay_id;
    out["code_url"] = started.attempt.code_url;
    out["order_no"] = started.order.order_no;
    out["out_trade_no"] = started.attempt.out_trade_no;
    out["total_fee"] = started.attempt.amount;
    out["trade_type"] = "NATIVE";
    out["provider"] = started.attempt.provider;
    out["expires_at"] = format_iso8601(started.attempt.expires_at);
    if (!started.scan_url.empty()) {
        out["scan_url"] = started.scan_url;
    }
    return ok(req, std::move(out));
}

Response query(Request& req, services::PaymentApi& payments) {
    GOMALL_TRY(const auto order_no, req, read_order_no(req));
    GOMALL_TRY(const auto outcome, req, payments.query(req.user_id(), order_no));
    boost::json::object out;
    out["order_no"] = outcome.order.order_no;
    out["out_trade_no"] = outcome.transaction.out_trade_no;
    out["trade_state"] = services::trade_state_text(outcome.transaction.state);
    out["trade_state_desc"] = outcome.transaction.state_text;
    out["transaction_id"] = outcome.transaction.transaction_id;
    out["total_fee"] = outcome.transaction.total;
    out["trade_type"] = "NATIVE";  // the original's query answered it; every payment here is Native
    out["order_status"] = static_cast<int>(outcome.order.status);
    if (outcome.order.paid_at) {
        out["paid_at"] = format_iso8601(*outcome.order.paid_at);
    }
    return ok(req, std::move(out));
}

Response close(Request& req, services::PaymentApi& payments) {
    GOMALL_TRY(const auto order_no, req, read_order_no(req));
    GOMALL_TRY(const auto order, req, payments.close(req.user_id(), order_no));
    boost::json::object out;
    out["order_no"] = order.order_no;
    out["trade_state"] = "CLOSED";
    out["order_status"] = static_cast<int>(order.status);
    return ok(req, std::move(out));
}

Response refund(Request& req, services::PaymentApi& payments) {
    GOMALL_TRY(const auto order_no, req, read_order_no(req));
    GOMALL_TRY(const auto fee, req, read_refund_fee(req));
    GOMALL_TRY(const auto outcome, req, payments.refund(req.user_id(), order_no, fee));
    boost::json::object out = refund_json(outcome.refund);
    out["refund_no"] = outcome.refund.out_refund_no;  // the original GoMall's name for out_refund_no
    out["order_no"] = outcome.order.order_no;
    out["refunded_fee"] = outcome.refunded;
    out["refundable_fee"] = outcome.refundable;
    out["order_status"] = static_cast<int>(outcome.order.status);
    return ok(req, std::move(out));
}

Response payment_view(Request& req, services::PaymentApi& payments) {
    const std::string_view raw = req.param("order_no");
    if (!plain_order_no(raw)) {
        return error_response(req, ErrorCode::kOrderNotFound, "order " + std::string(raw.substr(0, 64)) + " not found");
    }
    const bool admin = req.auth && req.auth->role == domain::Role::kAdmin;
    GOMALL_TRY(const auto view, req, payments.view(admin ? 0 : req.user_id(), std::string(raw)));
    boost::json::object out;
    out["order_no"] = view.order.order_no;
    out["order_status"] = static_cast<int>(view.order.status);
    out["total_fee"] = view.order.total_price;
    out["paid_fee"] = view.paid;
    out["refunded_fee"] = view.refunded;
    out["refundable_fee"] = view.refundable;
    out["expires_at"] = format_iso8601(view.order.expires_at);
    if (view.order.paid_at) {
        out["paid_at"] = format_iso8601(*view.order.paid_at);
    }
    out["trade_state"] = view.trade_state;
    out["configured"] = payments.configured();
    if (view.latest) {
        out["out_trade_no"] = view.latest->out_trade_no;
        out["provider"] = view.latest->provider;
        if (view.trade_state == "NOTPAY") {
            out["code_url"] = view.latest->code_url;
        }
    }
    if (!view.scan_url.empty()) {
        out["scan_url"] = view.scan_url;
    }
    boost::json::array refunds;
    for (const auto& r : view.refunds) {
        refunds.push_back(refund_json(r));
    }
    out["refunds"] = std::move(refunds);
    boost::json::array records;
    for (const auto& r : view.records) {
        records.push_back(record_json(r));
    }
    out["records"] = std::move(records);
    return ok(req, std::move(out));
}

Response notify(Request& req, services::PaymentApi& payments) {
    ports::IncomingNotification incoming;
    for (const auto& [name, value] : req.headers) {
        incoming.headers.emplace(name, value);  // first of a repeated header wins, as Request::header does
    }
    incoming.body = req.body;
    const ports::NotificationAnswer answer = payments.handle_notification(incoming);
    Response res;
    res.status = answer.status;
    res.content_type = answer.content_type.empty() ? "text/plain" : answer.content_type;
    res.body = answer.body;
    return res;
}

}  // namespace

void register_payment_routes(Router& router, services::PaymentApi& payments) {
    const RouteOptions user = signed_in();
    router.post(
        "/api/pay/wechat/unified-order", [&payments](Request& req) { return unified_order(req, payments); }, user
    );
    router.get(
        "/api/pay/wechat/query", [&payments](Request& req) { return query(req, payments); }, user
    );
    router.post(
        "/api/pay/wechat/close", [&payments](Request& req) { return close(req, payments); }, user
    );
    router.post(
        "/api/pay/wechat/refund", [&payments](Request& req) { return refund(req, payments); }, user
    );
    router.get(
        "/api/order/:order_no/payment", [&payments](Request& req) { return payment_view(req, payments); }, user
    );
    register_payment_notify_route(router, payments);
}

void register_payment_notify_route(Router& router, services::PaymentApi& payments) {
    RouteOptions provider;
    provider.body_limit = kNotifyBodyLimit;
    router.post(
        std::string(kPaymentNotifyPath), [&payments](Request& req) { return notify(req, payments); }, provider
    );
}

}  // namespace gomall::http
