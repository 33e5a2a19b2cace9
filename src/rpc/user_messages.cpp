// Accounts' values <-> messages.
#include "rpc/user_messages.hpp"

#include <chrono>

#include "rpc/unix_millis.hpp"

namespace gomall::rpc {
namespace {

v1::Role to_message(domain::Role role) {
    return role == domain::Role::kAdmin ? v1::ROLE_ADMIN : v1::ROLE_SHOPPER;
}

/// Anything but an explicit admin is a shopper: an unknown value never grants more.
domain::Role from_message(v1::Role role) {
    return role == v1::ROLE_ADMIN ? domain::Role::kAdmin : domain::Role::kShopper;
}

}  // namespace

void to_message(const domain::User& user, v1::User& out) {
    out.set_id(user.id);
    out.set_username(user.username);
    out.set_email(user.email);
    out.set_phone(user.phone);
    out.set_role(to_message(user.role));
    out.set_created_at_ms(to_unix_millis(user.created_at));
    out.set_updated_at_ms(to_unix_millis(user.updated_at));
}

domain::User from_message(const v1::User& in) {
    domain::User user;
    user.id = in.id();
    user.username = in.username();
    user.email = in.email();
    user.phone = in.phone();
    user.role = from_message(in.role());
    user.created_at = from_unix_millis(in.created_at_ms());
    user.updated_at = from_unix_millis(in.updated_at_ms());
    return user;
}

void to_message(const services::LoginResult& result, v1::LoginResult& out) {
    out.set_access_token(result.access_token);
    out.set_refresh_token(result.refresh_token);
    out.set_expires_in_seconds(result.expires_in.count());
    to_message(result.user, *out.mutable_user());
}

services::LoginResult from_message(const v1::LoginResult& in) {
    services::LoginResult result;
    result.access_token = in.access_token();
    result.refresh_token = in.refresh_token();
    result.expires_in = std::chrono::seconds(in.expires_in_seconds());
    result.user = from_message(in.user());
    return result;
}

void to_message(const domain::AccessClaims& claims, v1::AccessClaims& out) {
    out.set_user_id(claims.user_id);
    out.set_role(to_message(claims.role));
    out.set_username(claims.username);
    out.set_jti(claims.jti);
    out.set_issued_at_ms(to_unix_millis(claims.issued_at));
    out.set_expires_at_ms(to_unix_millis(claims.expires_at));
    out.set_session_id(claims.session_id);
}

domain::AccessClaims from_message(const v1::AccessClaims& in) {
    domain::AccessClaims claims;
    claims.user_id = in.user_id();
    claims.role = from_message(in.role());
    claims.username = in.username();
    claims.jti = in.jti();
    claims.issued_at = from_unix_millis(in.issued_at_ms());
    claims.expires_at = from_unix_millis(in.expires_at_ms());
    claims.session_id = in.session_id();
    return claims;
}

}  // namespace gomall::rpc
