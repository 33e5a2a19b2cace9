// A TokenRepository that does nothing and finds nothing: a base for the fakes of tests that care
// about one part of the port (the revocations, the purge), overriding only that part.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ports/token_repository.hpp"

namespace gomall::services {

class TokenRepositoryStub : public ports::TokenRepository {
public:
    void create_refresh(const domain::RefreshToken&) override {}
    std::optional<domain::RefreshToken> find_refresh(const std::string&) override { return std::nullopt; }
    bool consume_refresh(const std::string&) override { return false; }
    void revoke_refresh(const std::string&) override {}
    void revoke_family(const std::string&) override {}
    void revoke_all_refresh_of_user(std::int64_t) override {}
    void revoke_access(const std::string&, TimePoint) override {}
    void set_session_cutoff(std::int64_t, TimePoint) override {}
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint) override { return {}; }
    std::vector<ports::UserSessionCutoff> session_cutoffs() override { return {}; }
    std::int64_t purge_expired(TimePoint) override { return 0; }
};

}  // namespace gomall::services
