// UserClient: AccountApi as blocking calls to gomall.v1.UserService.
#include "rpc/user_client.hpp"

#include <optional>
#include <utility>

#include "ports/revocation_feed.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/pooled_call.hpp"
#include "rpc/unix_millis.hpp"
#include "rpc/user_messages.hpp"
#include "rpc/user_stubs.hpp"

namespace gomall::rpc {
namespace {

constexpr std::string_view kService = "the account service";

Result<services::LoginResult> login_result_of(const Result<v1::LoginResult>& answer) {
    if (!answer.ok()) {
        return answer.error();
    }
    return from_message(answer.value());
}

}  // namespace

UserClient::UserClient(InstancePool& pool, services::TokenRevocations& revocations, UserClientSettings settings)
    : pool_(pool), revocations_(revocations), settings_(std::move(settings)) {}

std::shared_ptr<void> UserClient::make_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return std::make_shared<UserStubs>(channel);
}

namespace {

/// One call with the client's deadline and secret, for `user_id` when given.
BlockingCall call_for(
    const UserClientSettings& settings, std::optional<std::int64_t> user_id = std::nullopt, int attempts = 1
) {
    return BlockingCall{OutgoingCall{settings.call_timeout, user_id, {}}, settings.peer_secret, kService, attempts, {}};
}

}  // namespace

Result<services::LoginResult> UserClient::register_user(const services::Registration& registration) {
    v1::RegisterRequest request;
    request.set_username(registration.username);
    request.set_password(registration.password);
    request.set_email(registration.email);
    request.set_phone(registration.phone);
    return login_result_of(call_blocking<UserStubs, v1::LoginResult>(
        pool_,
        call_for(settings_),
        [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->Register(&context, request, &response);
        }
    ));
}

services::LoginOutcome UserClient::login(
    std::string_view username, std::string_view password, std::string_view client_key
) {
    v1::LoginRequest request;
    request.set_username(std::string(username));
    request.set_password(std::string(password));
    request.set_client_key(std::string(client_key));
    auto result = login_result_of(call_blocking<UserStubs, v1::LoginResult>(
        pool_,
        call_for(settings_),
        [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->Login(&context, request, &response);
        }
    ));
    // A refused login's wait travels in the error detail; the HTTP layer reads it from the outcome.
    const auto retry_after = result.ok() ? std::chrono::seconds(0) : result.error().retry_after;
    return services::LoginOutcome{std::move(result), retry_after};
}

Result<services::LoginResult> UserClient::refresh(std::string_view refresh_token) {
    v1::RefreshRequest request;
    request.set_refresh_token(std::string(refresh_token));
    return login_result_of(call_blocking<UserStubs, v1::LoginResult>(
        pool_,
        call_for(settings_),
        [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->Refresh(&context, request, &response);
        }
    ));
}

Status UserClient::logout(const domain::AccessClaims& claims) {
    v1::LogoutRequest request;
    to_message(claims, *request.mutable_claims());
    const auto answer = call_blocking<UserStubs, v1::Empty>(
        pool_,
        call_for(settings_, claims.user_id),
        [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->Logout(&context, request, &response);
        }
    );
    if (!answer.ok()) {
        return answer.error();
    }
    // What the service just revoked, applied here at once. The session's other access tokens were
    // issued at the latest now and live as long as this one did, so they are all expired by then.
    using Kind = ports::RevocationEvent::Kind;
    revocations_.apply_remote({Kind::kToken, claims.jti, 0, claims.expires_at});
    if (!claims.session_id.empty()) {
        const TimePoint until = std::chrono::system_clock::now() + (claims.expires_at - claims.issued_at);
        revocations_.apply_remote({Kind::kSession, claims.session_id, 0, until});
    }
    return ok_status();
}

Status UserClient::change_password(
    const domain::AccessClaims& claims, std::string_view old_password, std::string_view new_password
) {
    v1::ChangePasswordRequest request;
    to_message(claims, *request.mutable_claims());
    request.set_old_password(std::string(old_password));
    request.set_new_password(std::string(new_password));
    const auto answer = call_blocking<UserStubs, v1::ChangePasswordResponse>(
        pool_,
        call_for(settings_, claims.user_id),
        [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->ChangePassword(&context, request, &response);
        }
    );
    if (!answer.ok()) {
        return answer.error();
    }
    if (answer->sessions_valid_from_ms() > 0) {
        revocations_.apply_remote(
            {ports::RevocationEvent::Kind::kUser,
             {},
             claims.user_id,
             from_unix_millis(answer->sessions_valid_from_ms())}
        );
    }
    return ok_status();
}

Result<domain::User> UserClient::profile(std::int64_t user_id) {
    const v1::ProfileRequest request;
    const auto answer = call_blocking<UserStubs, v1::User>(
        pool_,
        call_for(settings_, user_id, 2),
        [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->Profile(&context, request, &response);
        }
    );
    if (!answer.ok()) {
        return answer.error();
    }
    return from_message(answer.value());
}

}  // namespace gomall::rpc
