// The small formats WeChat's answers use: times in China Standard Time (UTC+8, no daylight
// saving) in three spellings, and identifiers shaped like WeChat's own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/wechatpay/china_time.hpp"
#include "core/time.hpp"

namespace gomall::emulator {

// The spellings the shop's adapters share, under the names the emulator's files use.
using wechatpay::format_compact_china;
using wechatpay::format_rfc3339_china;
using wechatpay::parse_compact_china;

/// "2024-05-20 13:29:35" (APIv2 refund_success_time).
std::string format_datetime_china(TimePoint t);

/// `count` decimal digits, the first never '0'.
std::string random_digits(std::size_t count);
/// A version 4 UUID ("8c1f...-...-4...-...-..."), for notification ids.
std::string random_uuid();

/// WeChat's transaction ids: 28 digits starting "42".
std::string new_transaction_id();
/// Refund ids: 29 digits starting "50".
std::string new_refund_id();
/// APIv2 prepay ids: "wx" + yyyyMMddHHmmss + 20 hex digits.
std::string new_prepay_id(TimePoint now);
/// An openid-like payer id.
std::string new_openid();

}  // namespace gomall::emulator
