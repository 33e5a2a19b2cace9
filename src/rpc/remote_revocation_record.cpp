// RemoteRevocationRecord: the revocation record read through the user service.
#include "rpc/remote_revocation_record.hpp"

#include <stdexcept>
#include <utility>

#include "core/unavailable.hpp"
#include "rpc/pooled_call.hpp"
#include "rpc/unix_millis.hpp"
#include "rpc/user_stubs.hpp"

namespace gomall::rpc {
namespace {

/// The whole list, or DependencyUnavailable (TokenRevocations' callers treat it as "catch up later").
v1::RevocationList fetch(InstancePool& pool, std::string_view peer_secret, std::chrono::milliseconds timeout) {
    const v1::ListRevocationsRequest request;
    const BlockingCall call{OutgoingCall{timeout, {}, {}}, peer_secret, "the account service", 2, {}};
    auto answer =
        call_blocking<UserStubs, v1::RevocationList>(pool, call, [&](UserStubs& stubs, auto& context, auto& response) {
            return stubs.users->ListRevocations(&context, request, &response);
        });
    if (!answer.ok()) {
        throw DependencyUnavailable(
            "revocations could not be read: " + answer.error().message, answer.error().retry_after
        );
    }
    return std::move(answer.value());
}

}  // namespace

RemoteRevocationRecord::RemoteRevocationRecord(
    InstancePool& pool, std::string peer_secret, std::chrono::milliseconds timeout
)
    : pool_(pool), peer_secret_(std::move(peer_secret)), timeout_(timeout) {}

void RemoteRevocationRecord::revoke_access(const std::string& /*jti*/, TimePoint /*expires_at*/) {
    throw std::logic_error("the gateway does not revoke tokens: the user service does");
}

void RemoteRevocationRecord::set_session_cutoff(std::int64_t /*user_id*/, TimePoint /*not_before*/) {
    throw std::logic_error("the gateway does not end sessions: the user service does");
}

std::vector<ports::RevokedAccessToken> RemoteRevocationRecord::active_revocations(TimePoint now) {
    std::vector<ports::RevokedAccessToken> out;
    const auto list = fetch(pool_, peer_secret_, timeout_);  // named: a loop over a temporary's member dangles
    for (const auto& token : list.tokens()) {
        const TimePoint expires_at = from_unix_millis(token.expires_at_ms());
        if (expires_at > now) {
            out.push_back({token.jti(), expires_at});
        }
    }
    return out;
}

std::vector<ports::UserSessionCutoff> RemoteRevocationRecord::session_cutoffs() {
    std::vector<ports::UserSessionCutoff> out;
    const auto list = fetch(pool_, peer_secret_, timeout_);
    for (const auto& cutoff : list.cutoffs()) {
        out.push_back({cutoff.user_id(), from_unix_millis(cutoff.not_before_ms())});
    }
    return out;
}

}  // namespace gomall::rpc
