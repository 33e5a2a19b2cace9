// What both protocol adapters share: the provider's error codes mapped onto the port's failures,
// and text trimmed to the provider's byte limits without splitting a UTF-8 character.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/money.hpp"
#include "ports/payment_gateway.hpp"

namespace gomall::wechatpay {

/// WeChat's error code ("ORDERPAID", "ORDER_NOT_EXIST", "SYSTEMERROR"...) -> what the service does.
ports::GatewayFailure failure_for_code(std::string_view code);

ports::GatewayError gateway_error(ports::GatewayFailure failure, std::string code, std::string message);

/// WeChat's trade_state word ("SUCCESS", "NOTPAY", ...); kUnknown for anything else.
ports::TradeState parse_trade_state(std::string_view text);
/// A refund's state in either protocol: APIv3's SUCCESS, PROCESSING, CLOSED, ABNORMAL and APIv2's
/// SUCCESS, PROCESSING, REFUNDCLOSE, CHANGE; kUnknown for anything else.
ports::RefundState parse_refund_state(std::string_view text);

/// At most `max_bytes` bytes, cut before a UTF-8 continuation byte; control characters dropped.
std::string trim_utf8(std::string_view text, std::size_t max_bytes);

/// A decimal amount of fen: digits only, 1 to 12 of them (no sign, no leading '+').
std::optional<Cents> parse_fen(std::string_view text);

/// The merchant trade numbers we generate: 6-32 of [A-Za-z0-9_-|*].
bool valid_trade_no(std::string_view text);
/// Merchant refund numbers: 1-64 of the same characters.
bool valid_refund_no(std::string_view text);

}  // namespace gomall::wechatpay
