#include "core/money.hpp"

#include <limits>

namespace gomall {

std::string format_yuan(Cents cents) {
    const bool negative = cents < 0;
    // Work in unsigned to handle INT64_MIN without overflow.
    const auto magnitude = negative ? (~static_cast<std::uint64_t>(cents) + 1U) : static_cast<std::uint64_t>(cents);
    std::string out = negative ? "-" : "";
    out += std::to_string(magnitude / 100U);
    out += '.';
    const auto frac = magnitude % 100U;
    out += static_cast<char>('0' + frac / 10U);
    out += static_cast<char>('0' + frac % 10U);
    return out;
}

std::optional<Cents> parse_yuan(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    bool negative = false;
    if (text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    const auto dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty() || frac.size() > 2 || (dot != std::string_view::npos && frac.empty())) {
        return std::nullopt;
    }
    constexpr auto kMax = std::numeric_limits<Cents>::max() / 100 - 1;
    Cents units = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        if (units > (kMax - (c - '0')) / 10) {
            return std::nullopt;
        }
        units = units * 10 + (c - '0');
    }
    Cents cents = 0;
    for (std::size_t i = 0; i < 2; ++i) {
        char c = i < frac.size() ? frac[i] : '0';
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        cents = cents * 10 + (c - '0');
    }
    const Cents total = units * 100 + cents;
    return negative ? -total : total;
}

}  // namespace gomall
