// The accounts of the gateway role: the user service's instances, found in the registry, called
// over gRPC (rpc::UserClient), and the revocation record read through it. The gateway still
// verifies access tokens itself (its key, its in-memory revocations); this part keeps those
// revocations loaded from the service that owns them. Not part of /ready: with the user service
// down, signed-in shoppers still browse, fill carts, order and pay (their tokens are verified
// here); only signing in, registering and the profile answer 503 until it is back.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/service_registry.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/remote_revocation_record.hpp"
#include "rpc/user_client.hpp"
#include "services/token_revocations.hpp"

namespace gomall::app {

class RemoteAccounts {
public:
    /// `registry` must outlive this object.
    RemoteAccounts(
        const Config& config, ports::ServiceRegistry& registry, const ports::Clock& clock, ports::Metrics& metrics
    );
    RemoteAccounts(const RemoteAccounts&) = delete;
    RemoteAccounts& operator=(const RemoteAccounts&) = delete;
    ~RemoteAccounts() { stop(); }

    /// Where the gateway's TokenRevocations load and catch up from.
    ports::RevocationRecord& revocation_record() { return record_; }

    /// Follows the registry, then loads `revocations` (the gateway's own, built over
    /// revocation_record()) from the user service, waiting up to `wait` for an instance to answer:
    /// a gateway must not serve before it knows which tokens are revoked. Throws
    /// std::runtime_error when none answered in time.
    void start(services::TokenRevocations& revocations, std::chrono::seconds wait);
    void stop();

    /// After start(): the accounts the HTTP handlers call.
    services::AccountApi& accounts();
    std::string description() const;

private:
    const rpc::UserClientSettings settings_;
    rpc::InstancePool pool_;
    rpc::RemoteRevocationRecord record_;
    std::optional<rpc::UserClient> client_;
};

}  // namespace gomall::app
