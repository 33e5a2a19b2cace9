// HTTP routes for accounts and tokens: /api/user/* and /api/auth/*.
#pragma once

#include "http/router.hpp"
#include "services/account_api.hpp"

namespace gomall::http {

/// Registers register/login/profile and refresh-token/change-password/logout. `auth` must outlive the router.
void register_user_routes(Router& router, services::AccountApi& auth);

}  // namespace gomall::http
