// Where revoked access tokens are recorded, so that revocations survive a restart and an instance
// that missed an announcement can catch up. In one process (and in the user service) it is the
// token tables; in the gateway of services mode it is the user service, which owns them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace gomall::ports {

struct RevokedAccessToken {
    std::string jti;
    TimePoint expires_at;
};

struct UserSessionCutoff {
    std::int64_t user_id = 0;
    TimePoint not_before;  // access tokens issued before this are revoked
};

class RevocationRecord {
public:
    virtual ~RevocationRecord() = default;
    virtual void revoke_access(const std::string& jti, TimePoint expires_at) = 0;
    virtual void set_session_cutoff(std::int64_t user_id, TimePoint not_before) = 0;
    /// Everything still relevant at `now`, to rebuild the in-memory revocation set.
    virtual std::vector<RevokedAccessToken> active_revocations(TimePoint now) = 0;
    virtual std::vector<UserSessionCutoff> session_cutoffs() = 0;
};

}  // namespace gomall::ports
