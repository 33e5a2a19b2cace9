// Accounts: shoppers and admins.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.hpp"

namespace gomall::domain {

enum class Role : int { kShopper = 1, kAdmin = 2 };

struct User {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    std::string phone;
    std::string password_hash;  // bcrypt; never leaves the server
    Role role = Role::kShopper;
    TimePoint created_at;
    TimePoint updated_at;
};

struct NewUser {
    std::string username;
    std::string email;
    std::string phone;
    std::string password_hash;
    Role role = Role::kShopper;
};

/// A refresh token is stored by id (the JWT-free opaque token is "<id>.<secret>";
/// only a hash of the secret is stored). Tokens of one login form a family:
/// rotation issues a new member and marks the old one used; presenting a used
/// member again revokes the whole family.
struct RefreshToken {
    std::string id;
    std::string secret_hash;
    std::int64_t user_id = 0;
    std::string family_id;
    TimePoint expires_at;
    bool used = false;
    bool revoked = false;
};

}  // namespace gomall::domain

namespace gomall::domain {

/// What a verified access token says about its bearer.
struct AccessClaims {
    std::int64_t user_id = 0;
    Role role = Role::kShopper;
    std::string username;
    std::string jti;
    TimePoint issued_at;
    TimePoint expires_at;
    std::string session_id;  // refresh-token family of the login ("sid" claim), so logout can end the session
};

}  // namespace gomall::domain
