// Versioned schema migrations, compiled into the binary, one list per SQL dialect.
#pragma once

#include <string_view>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/database.hpp"
#include "adapters/sql/schema_scope.hpp"

namespace gomall::adapters::sql {

struct Migration {
    int version = 0;
    std::string_view name;
    std::string_view sql;  // one or more statements separated by ';'
    /// Data work after the statements (in the same transaction on SQLite); must be repeatable,
    /// as a MySQL run interrupted half-way is run again from the start.
    void (*backfill)(soci::session& session, Dialect dialect) = nullptr;
    /// Whose tables the backfill fills: it runs only in a database that keeps them.
    TableOwner backfill_owner = TableOwner::kEvery;
};

/// The migrations for a dialect, in ascending version order.
const std::vector<Migration>& migrations_for(Dialect dialect);

/// Applies every migration newer than the database's schema, each in its own transaction,
/// in order. Idempotent, and safe when several processes start at once. Returns how many ran.
/// With a scope of some owners only their tables' statements run (MySQL/MariaDB only): a database
/// of one service's own, whose ledger says which versions its part has had.
int apply_migrations(Database& db, const SchemaScope& scope = SchemaScope::whole());

/// Highest applied version (0 for an empty database).
int schema_version(Database& db);

/// Splits a script into statements on ';' outside quotes and comments; drops empty ones.
std::vector<std::string_view> split_sql_statements(std::string_view script);

}  // namespace gomall::adapters::sql
