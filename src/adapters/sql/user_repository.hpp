// UserRepository on the SQL database (SQLite or MySQL/MariaDB).
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/user_repository.hpp"

namespace gomall::adapters::sql {

class SqlUserRepository final : public ports::UserRepository {
public:
    explicit SqlUserRepository(Database& db) : db_(db) {}

    std::optional<std::int64_t> create(const domain::NewUser& user, TimePoint now) override;
    std::optional<domain::User> find_by_id(std::int64_t id) override;
    std::optional<domain::User> find_by_username(std::string_view username) override;
    void update_password(std::int64_t id, const std::string& password_hash, TimePoint now) override;
    void upsert_admin(const domain::NewUser& admin, TimePoint now) override;
    std::int64_t count_admins() override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
