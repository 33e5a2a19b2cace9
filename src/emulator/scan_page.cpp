// The payer's side of a Native payment: what WeChat shows after scanning the QR code. GET shows
// the order with a Pay button; the button POSTs back (a plain form: no script, nothing loaded
// from elsewhere) and pays. Every value on the page is HTML-escaped: descriptions come from the
// shop's customers.
#include <string>
#include <string_view>

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "emulator/routes.hpp"

namespace gomall::emulator {
namespace {

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string state_text(TradeState state) {
    switch (state) {
        case TradeState::kNotPay:
            return "Waiting for payment";
        case TradeState::kSuccess:
            return "Paid";
        case TradeState::kClosed:
            return "Closed by the merchant";
        case TradeState::kRefund:
            return "Refunded";
    }
    return "";
}

http::Response page(int status, std::string_view title, const std::string& content) {
    http::Response res;
    res.status = status;
    res.content_type = "text/html; charset=utf-8";
    res.set_header("Cache-Control", "no-store");
    res.body =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>" +
        escape_html(title) +
        " - WeChat Pay emulator</title><style>"
        "body{font-family:sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "h1{font-size:1.2rem;color:#07c160}dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}"
        "dt{color:#777}dd{margin:0;word-break:break-all}.amount{font-size:1.6rem;font-weight:bold}"
        "button{width:100%;padding:.8rem;font-size:1.1rem;background:#07c160;color:#fff;border:0;border-radius:.3rem}"
        ".notice{padding:.8rem;border-radius:.3rem;background:#f3f3f3}"
        "</style></head><body><h1>WeChat Pay (emulator)</h1>\n" +
        content + "\n</body></html>\n";
    return res;
}

std::string status_line(std::string_view state, std::string_view text) {
    return "<p class=\"notice\" id=\"pay-status\" data-testid=\"pay-status\" data-state=\"" + escape_html(state) +
           "\">" + escape_html(text) + "</p>\n";
}

std::string order_details(const WechatPayEmulator& emulator, const Trade& trade) {
    const auto& settings = emulator.settings();
    return "<dl>"
           "<dt>Merchant</dt><dd id=\"pay-merchant\" data-testid=\"pay-merchant\">" +
           escape_html(settings.mch_id) + " (" + escape_html(settings.app_id) +
           ")</dd>"
           "<dt>Item</dt><dd id=\"pay-description\" data-testid=\"pay-description\">" +
           escape_html(trade.description) +
           "</dd>"
           "<dt>Order</dt><dd id=\"pay-order\" data-testid=\"pay-order\">" +
           escape_html(trade.out_trade_no) +
           "</dd>"
           "<dt>Amount</dt><dd class=\"amount\" id=\"pay-amount\" data-testid=\"pay-amount\">¥" +
           format_yuan(trade.total) + "</dd></dl>\n";
}

bool expired(const WechatPayEmulator& emulator, const Trade& trade) {
    return trade.expires_at && emulator.now() > *trade.expires_at;
}

http::Response unknown_code() {
    return page(404, "Unknown code", status_line("UNKNOWN", "This payment code is unknown or no longer valid."));
}

http::Response show(const WechatPayEmulator& emulator, const Trade& trade) {
    std::string content = order_details(emulator, trade);
    if (trade.state == TradeState::kNotPay && expired(emulator, trade)) {
        content += status_line("EXPIRED", "This payment has expired: it can no longer be paid.");
    } else {
        content += status_line(trade_state_name(trade.state), state_text(trade.state));
    }
    if (trade.state == TradeState::kNotPay && !expired(emulator, trade)) {
        content +=
            "<form method=\"post\" action=\"/pay/scan\">"
            "<input type=\"hidden\" name=\"pr\" value=\"" +
            escape_html(trade.code_token) +
            "\">"
            "<button type=\"submit\" id=\"pay-button\" data-testid=\"pay-button\">Pay ¥" +
            format_yuan(trade.total) + "</button></form>\n";
    }
    return page(200, "Pay", content);
}

/// The `pr` field of a form-urlencoded body (or of the query string).
std::optional<std::string> form_token(const http::Request& req) {
    if (auto query = req.query_param("pr")) {
        return std::string(*query);
    }
    if (!boost::urls::parse_query(req.body)) {
        return std::nullopt;  // checked first: the view below throws on a malformed query
    }
    boost::urls::encoding_opts options;
    options.space_as_plus = true;
    for (auto param : boost::urls::params_view(req.body, options)) {
        if (param.key == "pr") {
            return std::string(param.value);
        }
    }
    return std::nullopt;
}

http::Response pay(WechatPayEmulator& emulator, const http::Request& req) {
    const auto token = form_token(req);
    auto trade = token ? emulator.trades().find_by_token(*token) : std::nullopt;
    if (!trade) {
        return unknown_code();
    }
    auto outcome = emulator.pay(trade->out_trade_no, PayOptions{}, Tamper::kNone, false);
    if (const auto* paid = std::get_if<Trade>(&outcome)) {
        return page(
            200, "Payment complete", order_details(emulator, *paid) + status_line("SUCCESS", "Payment complete")
        );
    }
    std::string_view state = "REFUSED";
    std::string_view reason = "This payment cannot be made.";
    switch (std::get<TradeProblem>(outcome)) {
        case TradeProblem::kExpired:
            state = "EXPIRED";
            reason = "This payment has expired: it can no longer be paid.";
            break;
        case TradeProblem::kClosed:
            state = "CLOSED";
            reason = "The merchant closed this payment: it can no longer be paid.";
            break;
        case TradeProblem::kPaid:
            state = "SUCCESS";
            reason = "This order is already paid: nothing was charged again.";
            break;
        default:
            break;
    }
    return page(409, "Payment refused", order_details(emulator, *trade) + status_line(state, reason));
}

}  // namespace

void register_scan_routes(http::Router& router, WechatPayEmulator& emulator) {
    http::RouteOptions options;
    options.body_limit = kBodyLimit;
    router.get(
        "/pay/scan",
        [&emulator](http::Request& req) {
            const auto token = req.query_param("pr");
            auto trade = token ? emulator.trades().find_by_token(*token) : std::nullopt;
            return trade ? show(emulator, *trade) : unknown_code();
        },
        options
    );
    router.post(
        "/pay/scan", [&emulator](http::Request& req) { return pay(emulator, req); }, options
    );
}

}  // namespace gomall::emulator
