// The accounts served over gRPC: gomall.v1.UserService over the in-process AccountApi (AuthService),
// plus the revocations the gateways load and catch up from. Every handler reads or writes the
// database or runs bcrypt, so all run on the blocking pool.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <grpcpp/server_builder.h>

#include "ports/revocation_record.hpp"
#include "services/account_api.hpp"
#include "services/token_revocations.hpp"

namespace gomall::rpc {

struct UserServerSettings {
    /// The shared secret every caller must present (see call_metadata.hpp). Not empty.
    std::string peer_secret;
    /// Runs every handler (database, bcrypt).
    boost::asio::any_io_executor blocking;
};

/// Register on a ServerBuilder, build the server, and keep this object (and what it was given)
/// alive until the server has shut down.
class UserServer {
public:
    /// `revocations` is the service's own in-memory set (to answer the cutoff a password change
    /// set); `record` where revocations are stored (to answer ListRevocations).
    UserServer(
        services::AccountApi& accounts,
        services::TokenRevocations& revocations,
        ports::RevocationRecord& record,
        UserServerSettings settings
    );
    ~UserServer();
    UserServer(const UserServer&) = delete;
    UserServer& operator=(const UserServer&) = delete;

    void register_with(grpc::ServerBuilder& builder);

private:
    class Service;
    std::unique_ptr<Service> service_;
};

}  // namespace gomall::rpc
