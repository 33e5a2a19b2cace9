// JSON Web Tokens, HS256 only, for short-lived access tokens.
// Written on OpenSSL's HMAC rather than a JWT library so that exactly one algorithm is ever accepted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/user.hpp"

namespace gomall::services {

/// Signs and verifies access tokens. Claims: sub (user id as a string), role (1|2), username,
/// jti, sid (refresh-token family), iat and exp (Unix seconds). Thread-safe (immutable).
class JwtCodec {
public:
    /// Throws std::invalid_argument for an empty secret.
    explicit JwtCodec(std::string secret);

    /// "header.payload.signature" for these claims; times are truncated to whole seconds.
    std::string sign(const domain::AccessClaims& claims) const;

    /// Checks structure, the header (alg must be HS256), the signature (constant-time) and expiry
    /// against `now`. Revocation is not checked here. Errors are kTokenInvalid with the reason.
    Result<domain::AccessClaims> verify(std::string_view token, TimePoint now) const;

private:
    std::string secret_;
};

/// `bytes` bytes from OpenSSL's CSPRNG as lower-case hex (token ids, refresh-token secrets).
/// Throws std::runtime_error if the CSPRNG fails.
std::string random_hex(std::size_t bytes);

/// base64url without padding (RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);

/// Strict inverse of base64url_encode: rejects padding, foreign characters and non-canonical
/// trailing bits (so two different strings never decode to the same bytes). False on failure.
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace gomall::services
