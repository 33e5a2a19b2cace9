// Accounts and authentication: registration, throttled login, access/refresh tokens with
// rotation and reuse detection, logout, password change, and provisioning of the first admin.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"
#include "domain/user.hpp"
#include "ports/access_token_verifier.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/token_repository.hpp"
#include "ports/user_repository.hpp"
#include "services/account_api.hpp"
#include "services/jwt.hpp"
#include "services/keyed_rate_limiter.hpp"
#include "services/login_throttle.hpp"
#include "services/password_hasher.hpp"
#include "services/token_revocations.hpp"
#include "services/verified_token_cache.hpp"

namespace gomall::services {

struct AuthSettings {
    std::string jwt_secret;  // HS256 key; must not be empty
    std::chrono::seconds access_ttl{900};
    std::chrono::seconds refresh_ttl{7 * 24 * 3600};
    int bcrypt_cost = PasswordHasher::kDefaultCost;  // for the composition root's PasswordHasher
    /// Verified access tokens remembered, so a token's signature is checked once (0: every time).
    std::size_t verified_token_cache_entries = 100000;
};

/// Thread-safe; every method except verify() may block (repositories, bcrypt): call them off the I/O threads.
class AuthService final : public AccountApi, public ports::AccessTokenVerifier {
public:
    /// Throws std::invalid_argument for an empty jwt_secret or non-positive TTLs.
    /// Hashes one throw-away password (used to spend equal time on unknown usernames).
    AuthService(
        ports::UserRepository& users,
        ports::TokenRepository& tokens,
        PasswordHasher& hasher,
        TokenRevocations& revocations,
        KeyedRateLimiter& login_limiter,
        LoginThrottle& login_throttle,
        const ports::Clock& clock,
        AuthSettings settings
    );

    /// Creates a shopper account and signs it in. kUsernameTaken (field username) when the name is in use;
    /// kBadRequest (field password) when the password is not 6-72 bytes.
    Result<LoginResult> register_user(const Registration& registration) override;

    /// kLoginRateLimited (with retry_after) when `client_key` tries too fast, or when it has failed too
    /// often for this account or for all accounts together (see LoginThrottle); the password is not
    /// checked then. kInvalidCredentials for an unknown user or a wrong password (same message for both).
    /// `client_key` names the client's address as rate limits see it (an IPv6 client by its /64, which
    /// one holder can fill with addresses).
    LoginOutcome login(std::string_view username, std::string_view password, std::string_view client_key) override;

    /// Counts logins refused by the failed-login throttle there from now on (the rate limit counts
    /// its own refusals). Call at wiring time.
    void count_throttled_with(ports::Counter& counter) { throttled_counter_ = &counter; }

    /// Exchanges a refresh token for a new pair and marks the old one used. Presenting a used token again
    /// revokes its whole family (and the family's access tokens). Any failure is kRefreshTokenInvalid.
    Result<LoginResult> refresh(std::string_view refresh_token) override;

    /// Revokes the presented access token and its login session (refresh-token family).
    Status logout(const domain::AccessClaims& claims) override;

    /// kWrongOldPassword (field old_password), kBadRequest (field new_password). On success every
    /// session of the user ends: access tokens issued so far and all refresh tokens are revoked.
    Status change_password(
        const domain::AccessClaims& claims, std::string_view old_password, std::string_view new_password
    ) override;

    /// kUserNotFound when the account no longer exists.
    Result<domain::User> profile(std::int64_t user_id) override;

    /// When no admin exists, creates the admin `username` (or promotes that account) with `password`
    /// and returns true, so the caller can show generated credentials once. Otherwise changes nothing.
    /// Throws std::invalid_argument if the password is not acceptable.
    bool ensure_admin(const std::string& username, const std::string& password);

    /// ports::AccessTokenVerifier: signature, expiry and revocation; no I/O.
    Result<domain::AccessClaims> verify(std::string_view token) const override;

    const AuthSettings& settings() const { return settings_; }

private:
    LoginResult issue_tokens(const domain::User& user, const std::string& session_id, TimePoint now);

    ports::UserRepository& users_;
    ports::TokenRepository& tokens_;
    PasswordHasher& hasher_;
    TokenRevocations& revocations_;
    KeyedRateLimiter& login_limiter_;
    LoginThrottle& login_throttle_;
    const ports::Clock& clock_;
    AuthSettings settings_;
    JwtCodec jwt_;
    mutable VerifiedTokenCache verified_;  // a cache: verify() stays logically const
    std::string dummy_hash_;
    ports::Counter* throttled_counter_ = nullptr;
};

}  // namespace gomall::services
