// APIv3 signature messages, the Authorization header, and the timestamp window.
#include "adapters/wechatpay/v3_sign.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace gomall::wechatpay {
namespace {

// Far above a real header (a 2048-bit signature is 344 base64 characters); bounds the work a
// client can make the parser do.
constexpr std::size_t kMaxAuthorizationBytes = 4096;
// 18 digits cannot overflow std::int64_t; a unix time in seconds has 10.
constexpr std::size_t kMaxTimestampDigits = 18;

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

// Quotes, backslashes and control characters cannot stand inside our quoted values unescaped,
// and WeChat's values (digits, hex, base64) never hold them.
bool value_allowed(std::string_view value) {
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\' || u < 0x20 || u == 0x7F) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string v3_request_message(
    std::string_view method,
    std::string_view path_and_query,
    std::string_view timestamp,
    std::string_view nonce,
    std::string_view body
) {
    std::string out;
    out.reserve(method.size() + path_and_query.size() + timestamp.size() + nonce.size() + body.size() + 5);
    for (const std::string_view line : {method, path_and_query, timestamp, nonce, body}) {
        out += line;
        out += '\n';
    }
    return out;
}

std::string v3_response_message(std::string_view timestamp, std::string_view nonce, std::string_view body) {
    std::string out;
    out.reserve(timestamp.size() + nonce.size() + body.size() + 3);
    for (const std::string_view line : {timestamp, nonce, body}) {
        out += line;
        out += '\n';
    }
    return out;
}

std::string format_v3_authorization(const V3Authorization& auth) {
    const std::array<std::pair<std::string_view, const std::string*>, 5> fields{{
        {"mchid", &auth.mchid},
        {"nonce_str", &auth.nonce_str},
        {"signature", &auth.signature},
        {"timestamp", &auth.timestamp},
        {"serial_no", &auth.serial_no},
    }};
    std::string out(kV3AuthScheme);
    char separator = ' ';
    for (const auto& [name, value] : fields) {
        if (!value_allowed(*value)) {
            throw std::invalid_argument("Authorization field " + std::string(name) + " holds a character it cannot");
        }
        out += separator;
        out += name;
        out += "=\"";
        out += *value;
        out += '"';
        separator = ',';
    }
    return out;
}

std::optional<V3Authorization> parse_v3_authorization(std::string_view header_value) {
    if (header_value.size() > kMaxAuthorizationBytes || header_value.size() <= kV3AuthScheme.size() ||
        !iequals(header_value.substr(0, kV3AuthScheme.size()), kV3AuthScheme) ||
        !is_blank(header_value[kV3AuthScheme.size()])) {
        return std::nullopt;
    }
    V3Authorization auth;
    std::array<bool, 5> seen{};
    std::size_t i = kV3AuthScheme.size();
    const auto skip_blanks = [&] {
        while (i < header_value.size() && is_blank(header_value[i])) {
            ++i;
        }
    };
    while (true) {
        skip_blanks();
        const std::size_t name_start = i;
        while (i < header_value.size() && ((header_value[i] >= 'a' && header_value[i] <= 'z') || header_value[i] == '_')
        ) {
            ++i;
        }
        const std::string_view name = header_value.substr(name_start, i - name_start);
        skip_blanks();
        if (i == header_value.size() || header_value[i] != '=') {
            return std::nullopt;
        }
        ++i;
        skip_blanks();
        if (i == header_value.size() || header_value[i] != '"') {
            return std::nullopt;
        }
        ++i;
        const std::size_t close = header_value.find('"', i);
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view value = header_value.substr(i, close - i);
        i = close + 1;
        if (value.empty() || !value_allowed(value)) {
            return std::nullopt;
        }
        std::size_t index = 0;
        std::string* target = nullptr;
        if (name == "mchid") {
            index = 0;
            target = &auth.mchid;
        } else if (name == "nonce_str") {
            index = 1;
            target = &auth.nonce_str;
        } else if (name == "signature") {
            index = 2;
            target = &auth.signature;
        } else if (name == "timestamp") {
            index = 3;
            target = &auth.timestamp;
        } else if (name == "serial_no") {
            index = 4;
            target = &auth.serial_no;
        }
        if (target == nullptr || seen[index]) {
            return std::nullopt;  // unknown or repeated: another reader might take the other copy
        }
        seen[index] = true;
        target->assign(value);
        skip_blanks();
        if (i == header_value.size()) {
            break;
        }
        if (header_value[i] != ',') {
            return std::nullopt;
        }
        ++i;
    }
    for (const bool s : seen) {
        if (!s) {
            return std::nullopt;
        }
    }
    return auth;
}

bool v3_timestamp_fresh(std::string_view timestamp, std::int64_t now_unix, std::int64_t max_skew_seconds) {
    if (timestamp.empty() || timestamp.size() > kMaxTimestampDigits || max_skew_seconds < 0) {
        return false;
    }
    std::int64_t value = 0;
    for (const char c : timestamp) {
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    // The distance in unsigned arithmetic: exact for any two int64 values, never overflowing.
    const auto a = static_cast<std::uint64_t>(value);
    const auto b = static_cast<std::uint64_t>(now_unix);
    const std::uint64_t distance = value >= now_unix ? a - b : b - a;
    return distance <= static_cast<std::uint64_t>(max_skew_seconds);
}

}  // namespace gomall::wechatpay
