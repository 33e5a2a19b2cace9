// libFuzzer target: the access-token decoder and verifier (services/jwt). The first byte picks what
// the rest is: a token as a client sends it, or a payload (or header and payload) that the harness
// signs with the codec's secret, so the claims parser behind the signature check is reached too.
// Checks: no crash or undefined behaviour; base64url decoding is canonical (decode then encode
// gives the same text); a verified token's claims survive sign() and verify() unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <openssl/hmac.h>

#include "services/jwt.hpp"

namespace {

using gomall::services::base64url_decode;
using gomall::services::base64url_encode;

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789";
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

// 2026-12-05T00:00:00Z: a fixed clock keeps every run reproducible.
const gomall::TimePoint kNow = gomall::from_unix_seconds(1796428800);

std::string signed_token(std::string_view header_json, std::string_view payload_json) {
    std::string token = base64url_encode(header_json) + "." + base64url_encode(payload_json);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(
        EVP_sha256(),
        kSecret.data(),
        static_cast<int>(kSecret.size()),
        reinterpret_cast<const unsigned char*>(token.data()),
        token.size(),
        mac,
        &len
    );
    return token + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

void check_canonical_base64(std::string_view text) {
    std::string decoded;
    if (base64url_decode(text, decoded) && base64url_encode(decoded) != text) {
        std::abort();  // two spellings of the same bytes would both verify
    }
}

bool same_claims(const gomall::domain::AccessClaims& a, const gomall::domain::AccessClaims& b) {
    return a.user_id == b.user_id && a.role == b.role && a.username == b.username && a.jti == b.jti &&
           a.session_id == b.session_id && a.issued_at == b.issued_at && a.expires_at == b.expires_at;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const gomall::services::JwtCodec kCodec{std::string(kSecret)};
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string token;
    switch (data[0] % 3) {
        case 0:  // a token as sent
            token = std::string(rest);
            check_canonical_base64(rest);
            break;
        case 1:  // a payload, signed with the standard header
            token = signed_token(kHeader, rest);
            break;
        default: {  // "header\npayload", signed
            const auto split = rest.find('\n');
            if (split == std::string_view::npos) {
                return 0;
            }
            token = signed_token(rest.substr(0, split), rest.substr(split + 1));
            break;
        }
    }
    const auto claims = kCodec.verify(token, kNow);
    if (claims.ok()) {
        const auto again = kCodec.verify(kCodec.sign(claims.value()), kNow);
        if (!again.ok() || !same_claims(again.value(), claims.value())) {
            std::abort();
        }
    }
    return 0;
}
