// APIv2 signing: the sign string and its digest, as WeChat Pay's "安全规范" page describes them.
#include "adapters/wechatpay/v2_sign.hpp"

#include <string>

#include <openssl/crypto.h>

#include "adapters/wechatpay/crypto.hpp"

namespace gomall::wechatpay {

std::optional<V2SignType> parse_v2_sign_type(std::string_view text) {
    if (text == "MD5") {
        return V2SignType::kMd5;
    }
    if (text == "HMAC-SHA256") {
        return V2SignType::kHmacSha256;
    }
    return std::nullopt;
}

std::string_view v2_sign_type_name(V2SignType type) {
    return type == V2SignType::kHmacSha256 ? "HMAC-SHA256" : "MD5";
}

std::string v2_sign_string(const FlatXml& fields, std::string_view api_key) {
    // std::map orders its std::string keys bytewise (char_traits<char> compares as unsigned char),
    // which is the ASCII order the protocol asks for.
    std::string out;
    for (const auto& [name, value] : fields) {
        if (value.empty() || name == "sign") {
            continue;
        }
        if (!out.empty()) {
            out += '&';
        }
        out += name;
        out += '=';
        out += value;
    }
    if (!out.empty()) {
        out += '&';
    }
    out += "key=";
    out += api_key;
    return out;
}

std::string v2_sign(const FlatXml& fields, std::string_view api_key, V2SignType type) {
    const std::string text = v2_sign_string(fields, api_key);
    return type == V2SignType::kHmacSha256 ? hmac_sha256_hex_upper(api_key, text) : md5_hex_upper(text);
}

bool v2_verify(const FlatXml& fields, std::string_view api_key, V2SignType type) {
    const auto sign = fields.find("sign");
    if (sign == fields.end()) {
        return false;
    }
    const std::string expected = v2_sign(fields, api_key, type);
    // The length is public (it follows from the sign type); only the bytes need constant time.
    return sign->second.size() == expected.size() &&
           CRYPTO_memcmp(sign->second.data(), expected.data(), expected.size()) == 0;
}

}  // namespace gomall::wechatpay
