// Money is integer cents everywhere; the API speaks yuan with two decimals.
// Conversions are exact string/integer arithmetic, never floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gomall {

using Cents = std::int64_t;

/// 599900 -> "5999.00"; -5 -> "-0.05".
std::string format_yuan(Cents cents);

/// Parses a decimal yuan amount with at most two fraction digits ("12", "12.5",
/// "12.50") into cents. Returns nullopt for anything else or on overflow.
std::optional<Cents> parse_yuan(std::string_view text);

}  // namespace gomall
