// The gateway's view of the revocation record, which the user service owns: reads are calls to
// its ListRevocations. The gateway never revokes by itself (logout and password changes are the
// user service's), so the writes refuse loudly: reaching one is a wiring mistake.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ports/revocation_record.hpp"
#include "rpc/instance_pool.hpp"

namespace gomall::rpc {

class RemoteRevocationRecord final : public ports::RevocationRecord {
public:
    /// `pool` holds the user service's instances (built with UserClient::make_stubs).
    RemoteRevocationRecord(InstancePool& pool, std::string peer_secret, std::chrono::milliseconds timeout);

    /// Throw std::logic_error.
    void revoke_access(const std::string& jti, TimePoint expires_at) override;
    void set_session_cutoff(std::int64_t user_id, TimePoint not_before) override;

    /// Each one ListRevocations call (tried on a second instance after a transport failure); they
    /// throw DependencyUnavailable when no instance answered. A catch-up every 30 s costs two calls.
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint now) override;
    std::vector<ports::UserSessionCutoff> session_cutoffs() override;

private:
    InstancePool& pool_;
    const std::string peer_secret_;
    const std::chrono::milliseconds timeout_;
};

}  // namespace gomall::rpc
