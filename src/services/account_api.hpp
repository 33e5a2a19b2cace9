// Accounts as their callers see them (the HTTP handlers): register, sign in, refresh, sign out,
// change the password, read the profile. The class behind it may be in this process or remote.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/user.hpp"

namespace gomall::services {

/// Input of register_user; the HTTP layer has already validated the fields' shapes.
struct Registration {
    std::string username;
    std::string password;
    std::string email;
    std::string phone;  // empty when not given
};

/// What login, register and refresh hand back to the client.
struct LoginResult {
    std::string access_token;
    std::string refresh_token;           // opaque "<id>.<secret>"
    std::chrono::seconds expires_in{0};  // lifetime of the access token
    domain::User user;
};

/// The answer to a login: the tokens or an error. When the error is a refusal to try now
/// (kLoginRateLimited), retry_after says how long the client should wait (the HTTP Retry-After).
struct LoginOutcome {
    Result<LoginResult> result;
    std::chrono::seconds retry_after{0};
};

/// Every call may block (repositories, bcrypt): call from the blocking pool.
class AccountApi {
public:
    virtual ~AccountApi() = default;
    /// Creates a shopper account and signs it in. kUsernameTaken (field username) when the name is in use;
    /// kBadRequest (field password) when the password is not 6-72 bytes.
    virtual Result<LoginResult> register_user(const Registration& registration) = 0;
    /// kLoginRateLimited (with retry_after) when `client_key` tries too fast or has failed too often;
    /// kInvalidCredentials for an unknown user or a wrong password (same message for both).
    virtual LoginOutcome login(std::string_view username, std::string_view password, std::string_view client_key) = 0;
    /// Exchanges a refresh token for a new pair; any failure is kRefreshTokenInvalid.
    virtual Result<LoginResult> refresh(std::string_view refresh_token) = 0;
    /// Revokes the presented access token and its login session.
    virtual Status logout(const domain::AccessClaims& claims) = 0;
    /// kWrongOldPassword (field old_password), kBadRequest (field new_password). On success every
    /// session of the user ends.
    virtual Status change_password(
        const domain::AccessClaims& claims, std::string_view old_password, std::string_view new_password
    ) = 0;
    /// kUserNotFound when the account no longer exists.
    virtual Result<domain::User> profile(std::int64_t user_id) = 0;
};

}  // namespace gomall::services
