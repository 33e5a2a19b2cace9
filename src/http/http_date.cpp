#include "http/http_date.hpp"

#include <array>
#include <ctime>

namespace gomall::http {

std::string format_http_date(std::chrono::system_clock::time_point time) {
    static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::array<char, 40> text{};
    const int n = std::snprintf(
        text.data(),
        text.size(),
        "%s, %02d %s %04d %02d:%02d:%02d GMT",
        kDays.at(static_cast<std::size_t>(utc.tm_wday)),
        utc.tm_mday,
        kMonths.at(static_cast<std::size_t>(utc.tm_mon)),
        utc.tm_year + 1900,
        utc.tm_hour,
        utc.tm_min,
        utc.tm_sec
    );
    return {text.data(), static_cast<std::size_t>(n > 0 ? n : 0)};
}

void HttpDateCache::refresh(std::chrono::system_clock::time_point now) {
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (second != second_) {
        second_ = second;
        value_ = format_http_date(now);
    }
}

}  // namespace gomall::http
