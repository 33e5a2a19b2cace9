// Persistence of refresh tokens, and of revoked access tokens (the RevocationRecord part).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "domain/user.hpp"
#include "ports/revocation_record.hpp"

namespace gomall::ports {

class TokenRepository : public RevocationRecord {
public:
    virtual void create_refresh(const domain::RefreshToken& token) = 0;
    virtual std::optional<domain::RefreshToken> find_refresh(const std::string& id) = 0;
    /// Marks the token used if it is unused and not revoked; returns false when
    /// it was already used or revoked (the caller then revokes the family).
    virtual bool consume_refresh(const std::string& id) = 0;
    virtual void revoke_refresh(const std::string& id) = 0;
    virtual void revoke_family(const std::string& family_id) = 0;
    virtual void revoke_all_refresh_of_user(std::int64_t user_id) = 0;
    /// Deletes expired refresh tokens and revocations; returns rows removed.
    virtual std::int64_t purge_expired(TimePoint now) = 0;
};

}  // namespace gomall::ports
