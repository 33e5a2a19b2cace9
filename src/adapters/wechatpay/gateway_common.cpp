#include "adapters/wechatpay/gateway_common.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace gomall::wechatpay {

ports::GatewayFailure failure_for_code(std::string_view code) {
    using ports::GatewayFailure;
    if (code == "ORDERPAID") {
        return GatewayFailure::kAlreadyPaid;
    }
    if (code == "ORDERCLOSED" || code == "ORDER_CLOSED" || code == "ORDERREVERSED") {
        return GatewayFailure::kClosed;
    }
    if (code == "ORDERNOTEXIST" || code == "ORDER_NOT_EXIST" || code == "RESOURCE_NOT_EXISTS" ||
        code == "REFUNDNOTEXIST" || code == "NOT_FOUND") {
        return GatewayFailure::kNotFound;
    }
    // The provider's own trouble: the same request may succeed later.
    static constexpr std::array<std::string_view, 5> kTransient = {
        "SYSTEMERROR", "SYSTEM_ERROR", "FREQUENCY_LIMITED", "FREQUENCY_LIMIT_EXCEED", "BIZERR_NEED_RETRY"};
    if (std::find(kTransient.begin(), kTransient.end(), code) != kTransient.end()) {
        return GatewayFailure::kUnavailable;
    }
    return GatewayFailure::kRejected;
}

ports::TradeState parse_trade_state(std::string_view text) {
    using ports::TradeState;
    static constexpr std::array<std::pair<std::string_view, TradeState>, 7> kStates = {{
        {"SUCCESS", TradeState::kSuccess},
        {"NOTPAY", TradeState::kNotPay},
        {"CLOSED", TradeState::kClosed},
        {"REFUND", TradeState::kRefund},
        {"REVOKED", TradeState::kRevoked},
        {"USERPAYING", TradeState::kUserPaying},
        {"PAYERROR", TradeState::kPayError},
    }};
    for (const auto& [word, state] : kStates) {
        if (word == text) {
            return state;
        }
    }
    return TradeState::kUnknown;
}

ports::RefundState parse_refund_state(std::string_view text) {
    using ports::RefundState;
    if (text == "SUCCESS") {
        return RefundState::kSuccess;
    }
    if (text == "PROCESSING") {
        return RefundState::kProcessing;
    }
    if (text == "CLOSED" || text == "REFUNDCLOSE") {
        return RefundState::kClosed;
    }
    if (text == "ABNORMAL" || text == "CHANGE") {
        return RefundState::kAbnormal;
    }
    return RefundState::kUnknown;
}

ports::GatewayError gateway_error(ports::GatewayFailure failure, std::string code, std::string message) {
    return ports::GatewayError{failure, std::move(code), std::move(message)};
}

std::string trim_utf8(std::string_view text, std::size_t max_bytes) {
    std::string out;
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
            out.push_back(c);
        }
    }
    if (out.size() <= max_bytes) {
        return out;
    }
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0U) == 0x80U) {
        --cut;
    }
    out.resize(cut);
    return out;
}

std::optional<Cents> parse_fen(std::string_view text) {
    if (text.empty() || text.size() > 12 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    Cents v = 0;
    for (char c : text) {
        v = v * 10 + (c - '0');
    }
    return v;
}

namespace {

bool merchant_number_chars(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '|' || c == '*';
    });
}

}  // namespace

bool valid_trade_no(std::string_view text) {
    return text.size() >= 6 && text.size() <= 32 && merchant_number_chars(text);
}

bool valid_refund_no(std::string_view text) {
    return !text.empty() && text.size() <= 64 && merchant_number_chars(text);
}

}  // namespace gomall::wechatpay
