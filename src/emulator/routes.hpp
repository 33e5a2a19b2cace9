// The emulator's HTTP surface, one registration function per part. Every route runs on the
// blocking pool (they sign, verify and encrypt) and none needs a bearer token.
#pragma once

#include <cstddef>

#include "emulator/wechatpay_emulator.hpp"
#include "http/router.hpp"

namespace gomall::emulator {

/// WeChat's own limit on request bodies is far below the shop's; 64 KiB covers every real call.
inline constexpr std::size_t kBodyLimit = std::size_t{64} * 1024;

/// /v3/pay/transactions/..., /v3/refund/domestic/refunds...
void register_v3_routes(http::Router& router, WechatPayEmulator& emulator);
/// /pay/unifiedorder, /pay/orderquery, /pay/closeorder, /secapi/pay/refund, /pay/refundquery.
void register_v2_routes(http::Router& router, WechatPayEmulator& emulator);
/// GET and POST /pay/scan: the payer's side.
void register_scan_routes(http::Router& router, WechatPayEmulator& emulator);
/// /emulator/...: driving the emulator from tests.
void register_test_routes(http::Router& router, WechatPayEmulator& emulator);

}  // namespace gomall::emulator
