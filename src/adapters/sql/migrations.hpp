// Versioned schema migrations, compiled into the binary, one list per SQL dialect.
#pragma once

#include <string_view>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/database.hpp"

namespace gomall::adapters::sql {

struct Migration {
    int version = 0;
    std::string_view name;
    std::string_view sql;  // one or more statements separated by ';'
    /// Data work after the statements (in the same transaction on SQLite); must be repeatable,
    /// as a MySQL run interrupted half-way is run again from the start.
    void (*backfill)(soci::session& session, Dialect dialect) = nullptr;
};

/// The migrations for a dialect, in ascending version order.
const std::vector<Migration>& migrations_for(Dialect dialect);

/// Applies every migration newer than the database's schema, each in its own transaction,
/// in order. Idempotent, and safe when several processes start at once. Returns how many ran.
int apply_migrations(Database& db);

/// Highest applied version (0 for an empty database).
int schema_version(Database& db);

/// Splits a script into statements on ';' outside quotes and comments; drops empty ones.
std::vector<std::string_view> split_sql_statements(std::string_view script);

}  // namespace gomall::adapters::sql
