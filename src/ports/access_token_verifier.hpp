// Verifies bearer access tokens for the authentication middleware.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "domain/user.hpp"

namespace gomall::ports {

class AccessTokenVerifier {
public:
    virtual ~AccessTokenVerifier() = default;
    /// Checks signature (HS256 only), expiry and revocation. Cheap (no I/O): safe on an I/O thread.
    /// Errors: kTokenInvalid with a message saying why (expired, revoked, malformed...).
    virtual Result<domain::AccessClaims> verify(std::string_view token) const = 0;
};

}  // namespace gomall::ports
