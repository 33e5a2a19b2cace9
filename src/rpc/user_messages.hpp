// Accounts' values <-> their gomall.v1 messages, used by both ends of the user service's rpc.
// The password hash never travels: a User message has no field for it.
#pragma once

#include "domain/user.hpp"
#include "gomall/v1/user.pb.h"
#include "services/account_api.hpp"

namespace gomall::rpc {

void to_message(const domain::User& user, v1::User& out);
domain::User from_message(const v1::User& in);

void to_message(const services::LoginResult& result, v1::LoginResult& out);
services::LoginResult from_message(const v1::LoginResult& in);

void to_message(const domain::AccessClaims& claims, v1::AccessClaims& out);
domain::AccessClaims from_message(const v1::AccessClaims& in);

}  // namespace gomall::rpc
