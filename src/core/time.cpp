#include "core/time.hpp"

#include <cstdio>
#include <ctime>

namespace gomall {
namespace {

std::tm utc_tm(TimePoint t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm out{};
    gmtime_r(&tt, &out);
    return out;
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > s.size()) {
        return false;
    }
    int v = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Parses "YYYY-MM-DD?HH:MM:SS" where ? is 'T' or ' '; returns seconds since epoch.
std::optional<std::int64_t> parse_date_time(std::string_view s, std::size_t& pos) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (!read_digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !read_digits(s, 5, 2, mo) || s[7] != '-' ||
        !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !read_digits(s, 11, 2, h) || s[13] != ':' ||
        !read_digits(s, 14, 2, mi) || s[16] != ':' || !read_digits(s, 17, 2, se)) {
        return std::nullopt;
    }
    static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > kDaysInMonth[mo - 1] || h > 23 || mi > 59 || se > 60) {
        return std::nullopt;
    }
    pos = 19;
    return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + std::int64_t{h} * 3600 +
           std::int64_t{mi} * 60 + se;
}

}  // namespace

std::string format_iso8601(TimePoint t) {
    const std::tm tm = utc_tm(t);
    char buf[96];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02d-%02dT%02d:%02d:%02dZ",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
    return buf;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
    std::size_t pos = 0;
    auto secs = parse_date_time(text, pos);
    if (!secs || text[10] != 'T') {
        return std::nullopt;
    }
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ++pos;
        }
        if (pos == start) {
            return std::nullopt;
        }
    }
    if (pos == text.size()) {
        return std::nullopt;  // an offset is required: local time is ambiguous
    }
    if (text[pos] == 'Z' && pos + 1 == text.size()) {
        return from_unix_seconds(*secs);
    }
    int oh = 0, om = 0;
    if ((text[pos] == '+' || text[pos] == '-') && text.size() == pos + 6 && read_digits(text, pos + 1, 2, oh) &&
        text[pos + 3] == ':' && read_digits(text, pos + 4, 2, om) && oh <= 23 && om <= 59) {
        const std::int64_t offset = (std::int64_t{oh} * 3600 + std::int64_t{om} * 60) * (text[pos] == '+' ? 1 : -1);
        return from_unix_seconds(*secs - offset);
    }
    return std::nullopt;
}

std::string format_sql_utc(TimePoint t) {
    const std::tm tm = utc_tm(t);
    char buf[96];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02d-%02d %02d:%02d:%02d",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
    return buf;
}

std::optional<TimePoint> parse_sql_utc(std::string_view text) {
    std::size_t pos = 0;
    auto secs = parse_date_time(text, pos);
    if (!secs) {
        return std::nullopt;
    }
    return from_unix_seconds(*secs);
}

std::string format_compact_utc(TimePoint t) {
    const std::tm tm = utc_tm(t);
    char buf[96];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d%02d%02d%02d%02d%02d",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
    return buf;
}

std::int64_t to_unix_seconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_seconds(std::int64_t s) {
    return TimePoint{std::chrono::seconds{s}};
}

}  // namespace gomall
