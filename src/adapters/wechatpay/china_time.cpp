#include "adapters/wechatpay/china_time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace gomall::wechatpay {
namespace {

constexpr std::chrono::hours kBeijingOffset{8};

struct Civil {
    int year, month, day, hour, minute, second;
};

Civil to_civil(TimePoint t) {
    const auto local = std::chrono::floor<std::chrono::seconds>(t) + kBeijingOffset;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{local - day};
    return {
        static_cast<int>(ymd.year()),
        static_cast<int>(static_cast<unsigned>(ymd.month())),
        static_cast<int>(static_cast<unsigned>(ymd.day())),
        static_cast<int>(hms.hours().count()),
        static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count())};
}

}  // namespace

std::string format_rfc3339_china(TimePoint t) {
    const Civil c = to_civil(t);
    char buf[40];
    std::snprintf(
        buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", c.year, c.month, c.day, c.hour, c.minute, c.second
    );
    return buf;
}

std::string format_compact_china(TimePoint t) {
    const Civil c = to_civil(t);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", c.year, c.month, c.day, c.hour, c.minute, c.second);
    return buf;
}

std::optional<TimePoint> parse_compact_china(std::string_view text) {
    if (text.size() != 14 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    auto number = [&](std::size_t at, std::size_t len) {
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const std::chrono::year_month_day ymd{
        std::chrono::year{number(0, 4)},
        std::chrono::month{static_cast<unsigned>(number(4, 2))},
        std::chrono::day{static_cast<unsigned>(number(6, 2))}};
    const int h = number(8, 2);
    const int m = number(10, 2);
    const int s = number(12, 2);
    if (!ymd.ok() || h > 23 || m > 59 || s > 59) {
        return std::nullopt;
    }
    const auto local =
        std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
    return TimePoint{local - kBeijingOffset};
}

}  // namespace gomall::wechatpay
