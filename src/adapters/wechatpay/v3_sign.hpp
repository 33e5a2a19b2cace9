// APIv3 signatures. Requests: "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n" signed with the
// merchant key, sent as `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",
// signature="..",timestamp="..",serial_no=".."`. Responses and notifications:
// "TIMESTAMP\nNONCE\nBODY\n" signed with the platform key, sent in Wechatpay-Signature,
// -Timestamp, -Nonce and -Serial.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gomall::wechatpay {

inline constexpr std::string_view kV3AuthScheme = "WECHATPAY2-SHA256-RSA2048";

std::string v3_request_message(
    std::string_view method,
    std::string_view path_and_query,
    std::string_view timestamp,
    std::string_view nonce,
    std::string_view body
);
std::string v3_response_message(std::string_view timestamp, std::string_view nonce, std::string_view body);

struct V3Authorization {
    std::string mchid;
    std::string nonce_str;
    std::string signature;
    std::string timestamp;
    std::string serial_no;
};

/// Fields in the order of WeChat's example. Throws std::invalid_argument if a value holds '"',
/// '\\' or a control character (it would break out of its quotes or the header).
std::string format_v3_authorization(const V3Authorization& auth);
/// Parses the header value; nullopt unless the scheme matches and all five fields are present
/// once each, quoted and non-empty, with no other fields (in any order, separated by commas with
/// optional spaces; the scheme compared case-insensitively).
std::optional<V3Authorization> parse_v3_authorization(std::string_view header_value);

/// True when `timestamp` (decimal unix seconds) is within `max_skew_seconds` of `now_unix`.
bool v3_timestamp_fresh(std::string_view timestamp, std::int64_t now_unix, std::int64_t max_skew_seconds = 300);

}  // namespace gomall::wechatpay
