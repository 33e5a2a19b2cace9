// WeChat Pay speaks Beijing time (UTC+8, no daylight saving): RFC 3339 with "+08:00" in APIv3 and
// "yyyyMMddHHmmss" in APIv2.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace gomall::wechatpay {

/// "2026-12-05T20:15:00+08:00"
std::string format_rfc3339_china(TimePoint t);
/// "20261205201500"
std::string format_compact_china(TimePoint t);
/// Exactly 14 digits of a valid Beijing date and time; nullopt otherwise.
std::optional<TimePoint> parse_compact_china(std::string_view text);

}  // namespace gomall::wechatpay
