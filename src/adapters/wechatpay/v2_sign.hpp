// APIv2 signatures: the non-empty fields except `sign`, sorted by name (ASCII), joined as
// "k=v&k=v", then "&key=<API key>", digested with MD5 or HMAC-SHA256 (keyed with the API key),
// upper-case hex.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/wechatpay/flat_xml.hpp"

namespace gomall::wechatpay {

enum class V2SignType { kMd5, kHmacSha256 };

/// "MD5" / "HMAC-SHA256" (the values of the sign_type field); nullopt otherwise.
std::optional<V2SignType> parse_v2_sign_type(std::string_view text);
std::string_view v2_sign_type_name(V2SignType type);

/// The string that is digested (exposed for tests against WeChat's worked example).
std::string v2_sign_string(const FlatXml& fields, std::string_view api_key);
std::string v2_sign(const FlatXml& fields, std::string_view api_key, V2SignType type);
/// Constant-time comparison of fields["sign"] with the expected signature; false if absent.
bool v2_verify(const FlatXml& fields, std::string_view api_key, V2SignType type);

}  // namespace gomall::wechatpay
