// TokenRepository on the SQL database: refresh-token families, revoked access tokens and
// per-user session cutoffs.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/token_repository.hpp"

namespace gomall::adapters::sql {

class SqlTokenRepository final : public ports::TokenRepository {
public:
    explicit SqlTokenRepository(Database& db) : db_(db) {}

    void create_refresh(const domain::RefreshToken& token) override;
    std::optional<domain::RefreshToken> find_refresh(const std::string& id) override;
    bool consume_refresh(const std::string& id) override;
    void revoke_refresh(const std::string& id) override;
    void revoke_family(const std::string& family_id) override;
    void revoke_all_refresh_of_user(std::int64_t user_id) override;
    void revoke_access(const std::string& jti, TimePoint expires_at) override;
    void set_session_cutoff(std::int64_t user_id, TimePoint not_before) override;
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint now) override;
    std::vector<ports::UserSessionCutoff> session_cutoffs() override;
    std::int64_t purge_expired(TimePoint now) override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
