// Persistence of accounts. Implementations are thread-safe; calls block (run them off the I/O threads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "domain/user.hpp"

namespace gomall::ports {

class UserRepository {
public:
    virtual ~UserRepository() = default;

    /// Inserts the user; returns the new id, or nullopt if the username is taken
    /// (enforced by a unique index, so concurrent registrations create one account).
    virtual std::optional<std::int64_t> create(const domain::NewUser& user, TimePoint now) = 0;
    virtual std::optional<domain::User> find_by_id(std::int64_t id) = 0;
    virtual std::optional<domain::User> find_by_username(std::string_view username) = 0;

    virtual void update_password(std::int64_t id, const std::string& password_hash, TimePoint now) = 0;
    /// Makes `id` an admin with this password (used to provision the configured admin).
    virtual void upsert_admin(const domain::NewUser& admin, TimePoint now) = 0;
    virtual std::int64_t count_admins() = 0;
};

}  // namespace gomall::ports
