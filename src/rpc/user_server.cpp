// gomall.v1.UserService over AccountApi.
#include "rpc/user_server.hpp"

#include <chrono>
#include <utility>

#include "core/time.hpp"
#include "gomall/v1/user.grpc.pb.h"
#include "rpc/call_metadata.hpp"
#include "rpc/server_calls.hpp"
#include "rpc/unix_millis.hpp"
#include "rpc/user_messages.hpp"

namespace gomall::rpc {

class UserServer::Service final : public v1::UserService::CallbackService {
public:
    Service(
        services::AccountApi& accounts,
        services::TokenRevocations& revocations,
        ports::RevocationRecord& record,
        UserServerSettings settings
    )
        : accounts_(accounts),
          revocations_(revocations),
          record_(record),
          peer_(std::move(settings.peer_secret)),
          blocking_(std::move(settings.blocking)) {}

    grpc::ServerUnaryReactor* Register(
        grpc::CallbackServerContext* call, const v1::RegisterRequest* request, v1::LoginResult* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            services::Registration registration{
                request->username(), request->password(), request->email(), request->phone()};
            return answer(accounts_.register_user(registration), [response](const auto& result) {
                to_message(result, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* Login(
        grpc::CallbackServerContext* call, const v1::LoginRequest* request, v1::LoginResult* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            auto outcome = accounts_.login(request->username(), request->password(), request->client_key());
            if (!outcome.result.ok()) {
                Error error = outcome.result.error();
                if (outcome.retry_after.count() > 0) {
                    error.retry_after = outcome.retry_after;  // travels in the error detail
                }
                return to_grpc_status(error);
            }
            to_message(outcome.result.value(), *response);
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* Refresh(
        grpc::CallbackServerContext* call, const v1::RefreshRequest* request, v1::LoginResult* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            return answer(accounts_.refresh(request->refresh_token()), [response](const auto& result) {
                to_message(result, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* Logout(
        grpc::CallbackServerContext* call, const v1::LogoutRequest* request, v1::Empty* /*response*/
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request] {
            return answer(accounts_.logout(from_message(request->claims())));
        });
    }

    grpc::ServerUnaryReactor* ChangePassword(
        grpc::CallbackServerContext* call,
        const v1::ChangePasswordRequest* request,
        v1::ChangePasswordResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            const auto claims = from_message(request->claims());
            const auto changed = accounts_.change_password(claims, request->old_password(), request->new_password());
            if (!changed.ok()) {
                return to_grpc_status(changed.error());
            }
            // The cutoff the change set (a later concurrent change may have moved it on: the
            // gateway keeps the later of the two, as with any revocation).
            if (const auto cutoff = revocations_.session_cutoff(claims.user_id)) {
                response->set_sessions_valid_from_ms(to_unix_millis(*cutoff));
            }
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* Profile(
        grpc::CallbackServerContext* call, const v1::ProfileRequest* /*request*/, v1::User* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, response] {
            const auto caller = caller_of(*call);
            if (!caller.user_id) {
                return to_grpc_status(missing_user());
            }
            return answer(accounts_.profile(*caller.user_id), [response](const auto& user) {
                to_message(user, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* ListRevocations(
        grpc::CallbackServerContext* call, const v1::ListRevocationsRequest* /*request*/, v1::RevocationList* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, response] {
            const TimePoint now = std::chrono::system_clock::now();
            for (const auto& revoked : record_.active_revocations(now)) {
                auto& token = *response->add_tokens();
                token.set_jti(revoked.jti);
                token.set_expires_at_ms(to_unix_millis(revoked.expires_at));
            }
            for (const auto& cutoff : record_.session_cutoffs()) {
                auto& out = *response->add_cutoffs();
                out.set_user_id(cutoff.user_id);
                out.set_not_before_ms(to_unix_millis(cutoff.not_before));
            }
            return grpc::Status::OK;
        });
    }

private:
    services::AccountApi& accounts_;
    services::TokenRevocations& revocations_;
    ports::RevocationRecord& record_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

UserServer::UserServer(
    services::AccountApi& accounts,
    services::TokenRevocations& revocations,
    ports::RevocationRecord& record,
    UserServerSettings settings
)
    : service_(std::make_unique<Service>(accounts, revocations, record, std::move(settings))) {}

UserServer::~UserServer() = default;

void UserServer::register_with(grpc::ServerBuilder& builder) {
    builder.RegisterService(service_.get());
}

}  // namespace gomall::rpc
