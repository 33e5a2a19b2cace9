// The accounts of a remote user service: services::AccountApi over gRPC, so the HTTP handlers
// cannot tell the difference. Access tokens are still verified by the caller (the gateway) with
// its own key and its own in-memory revocations; a logout or password change made through this
// client is applied to those revocations as soon as the service confirms it, so the very next
// request with the old token is refused here (other gateways hear it on the revocation feed).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/channel.h>

#include "rpc/instance_pool.hpp"
#include "services/account_api.hpp"
#include "services/token_revocations.hpp"

namespace gomall::rpc {

struct UserClientSettings {
    /// The shared secret the service checks (see call_metadata.hpp).
    std::string peer_secret;
    /// Deadline of every call (a login or registration runs bcrypt on the service).
    std::chrono::milliseconds call_timeout{3000};
};

/// Thread-safe. Every call is a blocking gRPC call with the call deadline: call from the blocking
/// pool, as the in-process AuthService. A call that reached no answer is kUnavailable with a
/// retry-after (503 + Retry-After at the HTTP layer); only profile() is tried on a second instance
/// after a transport failure (it changes nothing).
class UserClient final : public services::AccountApi {
public:
    /// `pool` (built with make_stubs) and `revocations` (the gateway's own) must outlive the client.
    UserClient(InstancePool& pool, services::TokenRevocations& revocations, UserClientSettings settings);
    /// The stubs an InstancePool keeps per instance for this client.
    static std::shared_ptr<void> make_stubs(const std::shared_ptr<grpc::Channel>& channel);

    Result<services::LoginResult> register_user(const services::Registration& registration) override;
    services::LoginOutcome login(std::string_view username, std::string_view password, std::string_view client_key)
        override;
    Result<services::LoginResult> refresh(std::string_view refresh_token) override;
    Status logout(const domain::AccessClaims& claims) override;
    Status change_password(
        const domain::AccessClaims& claims, std::string_view old_password, std::string_view new_password
    ) override;
    Result<domain::User> profile(std::int64_t user_id) override;

private:
    InstancePool& pool_;
    services::TokenRevocations& revocations_;
    const UserClientSettings settings_;
};

}  // namespace gomall::rpc
