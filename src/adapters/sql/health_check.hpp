// Readiness probe of the SQL database (SELECT 1 on a pooled connection).
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/database_health.hpp"

namespace gomall::adapters::sql {

class DatabaseHealthCheck final : public ports::HealthCheck {
public:
    explicit DatabaseHealthCheck(Database& db) : db_(db) {}

    std::string name() const override { return "database"; }
    std::string check() override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
