// HS256 JWT encoding and verification with OpenSSL HMAC and Boost.JSON claims.
#include "services/jwt.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace gomall::services {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Far above any token we issue; bounds the work an attacker can make us do per request.
constexpr std::size_t kMaxTokenLength = 4096;
// The last second a TimePoint holds (system_clock counts nanoseconds in 64 bits: April 2262).
constexpr std::int64_t kMaxUnixSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count();
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

int decode_char(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(std::string_view key, std::string_view data) {
    Digest out{};
    unsigned int len = 0;
    if (HMAC(
            EVP_sha256(),
            key.data(),
            static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()),
            data.size(),
            out.data(),
            &len
        ) == nullptr ||
        len != out.size()) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return out;
}

Error invalid(std::string reason) {
    return make_error(ErrorCode::kTokenInvalid, "invalid token: " + std::move(reason));
}

std::optional<boost::json::object> parse_object(std::string_view json) {
    std::error_code ec;
    boost::json::value v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) {
        return std::nullopt;
    }
    return std::move(v.as_object());
}

std::optional<std::int64_t> int_member(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->as_int64();
    }
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->as_uint64());
    }
    return std::nullopt;
}

const boost::json::string* string_member(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr ? v->if_string() : nullptr;
}

std::optional<std::int64_t> parse_user_id(std::string_view s) {
    if (s.empty() || s.size() > 18 || s[0] == '0') {
        return std::nullopt;
    }
    std::int64_t id = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        id = id * 10 + (c - '0');
    }
    return id;
}

// Only {"alg":"HS256"} with an optional "typ":"JWT"; anything else (alg none, RS256, crit, kid...) is refused.
bool header_acceptable(const boost::json::object& header) {
    const boost::json::string* alg = string_member(header, "alg");
    if (alg == nullptr || *alg != "HS256") {
        return false;
    }
    for (const auto& member : header) {
        if (member.key() == "alg") {
            continue;
        }
        if (member.key() == "typ" && member.value().is_string() && member.value().as_string() == "JWT") {
            continue;
        }
        return false;
    }
    return true;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                                (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
    } else if (rest == 2) {
        const std::uint32_t n =
            (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
    }
    return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
    if (text.size() % 4 == 1) {
        return false;
    }
    out.clear();
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int v = decode_char(c);
        if (v < 0) {
            return false;
        }
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    // Leftover bits must be zero, otherwise a second spelling of the same bytes would verify too.
    return (buffer & ((1U << bits) - 1)) == 0;
}

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : raw) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    return out;
}

JwtCodec::JwtCodec(std::string secret) : secret_(std::move(secret)) {
    if (secret_.empty()) {
        throw std::invalid_argument("JWT secret must not be empty");
    }
}

std::string JwtCodec::sign(const domain::AccessClaims& claims) const {
    boost::json::object payload;
    payload["sub"] = std::to_string(claims.user_id);
    payload["role"] = static_cast<int>(claims.role);
    payload["username"] = claims.username;
    payload["jti"] = claims.jti;
    payload["sid"] = claims.session_id;
    payload["iat"] = to_unix_seconds(claims.issued_at);
    payload["exp"] = to_unix_seconds(claims.expires_at);

    std::string token = base64url_encode(kHeader);
    token += '.';
    token += base64url_encode(boost::json::serialize(payload));
    const Digest mac = hmac_sha256(secret_, token);
    token += '.';
    token += base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    return token;
}

Result<domain::AccessClaims> JwtCodec::verify(std::string_view token, TimePoint now) const {
    if (token.empty() || token.size() > kMaxTokenLength) {
        return invalid("malformed");
    }
    const std::size_t first = token.find('.');
    const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return invalid("malformed");
    }
    const std::string_view header_part = token.substr(0, first);
    const std::string_view payload_part = token.substr(first + 1, second - first - 1);
    const std::string_view signature_part = token.substr(second + 1);

    std::string decoded;
    if (header_part.empty() || !base64url_decode(header_part, decoded)) {
        return invalid("malformed header");
    }
    const auto header = parse_object(decoded);
    if (!header) {
        return invalid("malformed header");
    }
    if (!header_acceptable(*header)) {
        return invalid("unsupported algorithm");
    }

    std::string signature;
    if (!base64url_decode(signature_part, signature) || signature.size() != std::tuple_size_v<Digest>) {
        return invalid("bad signature");
    }
    const Digest expected = hmac_sha256(secret_, token.substr(0, second));
    if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
        return invalid("bad signature");
    }

    if (payload_part.empty() || !base64url_decode(payload_part, decoded)) {
        return invalid("malformed payload");
    }
    const auto payload = parse_object(decoded);
    if (!payload) {
        return invalid("malformed payload");
    }
    const boost::json::string* sub = string_member(*payload, "sub");
    const boost::json::string* username = string_member(*payload, "username");
    const boost::json::string* jti = string_member(*payload, "jti");
    const boost::json::string* sid = string_member(*payload, "sid");
    const auto role = int_member(*payload, "role");
    const auto iat = int_member(*payload, "iat");
    const auto exp = int_member(*payload, "exp");
    const auto user_id = sub != nullptr ? parse_user_id(*sub) : std::nullopt;
    // Later times would overflow the clock's nanoseconds (undefined behaviour) when converted.
    const auto plausible = [](const std::optional<std::int64_t>& t) {
        return t && *t >= 0 && *t <= kMaxUnixSeconds;
    };
    if (!user_id || username == nullptr || jti == nullptr || jti->empty() || sid == nullptr || !role ||
        !plausible(iat) || !plausible(exp) ||
        (*role != static_cast<int>(domain::Role::kShopper) && *role != static_cast<int>(domain::Role::kAdmin))) {
        return invalid("missing or malformed claims");
    }
    if (now >= from_unix_seconds(*exp)) {
        return make_error(ErrorCode::kTokenInvalid, "token expired");
    }

    domain::AccessClaims claims;
    claims.user_id = *user_id;
    claims.role = static_cast<domain::Role>(*role);
    claims.username = std::string(*username);
    claims.jti = std::string(*jti);
    claims.session_id = std::string(*sid);
    claims.issued_at = from_unix_seconds(*iat);
    claims.expires_at = from_unix_seconds(*exp);
    return claims;
}

}  // namespace gomall::services
