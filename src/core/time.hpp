// Time points are UTC system_clock values; the API prints ISO 8601 with offset.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gomall {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

/// "2026-11-25T01:02:03Z" style, second precision, always UTC ("Z" offset).
std::string format_iso8601(TimePoint t);

/// Accepts "YYYY-MM-DDTHH:MM:SS" followed by "Z", "+hh:mm" or "-hh:mm",
/// with optional fractional seconds. Returns nullopt for anything else.
std::optional<TimePoint> parse_iso8601(std::string_view text);

/// Storage form: "YYYY-MM-DD HH:MM:SS" in UTC (sorts lexically, both SQL dialects accept it).
std::string format_sql_utc(TimePoint t);
std::optional<TimePoint> parse_sql_utc(std::string_view text);

/// "yyyyMMddHHmmss" in UTC, for order numbers.
std::string format_compact_utc(TimePoint t);

std::int64_t to_unix_seconds(TimePoint t);
TimePoint from_unix_seconds(std::int64_t s);

}  // namespace gomall
