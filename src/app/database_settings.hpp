// The database adapter's settings from the config's `database` section (the server, the CLI's
// migrate/seed commands and seed-products open the same database).
#pragma once

#include "adapters/sql/database.hpp"
#include "adapters/sql/schema_scope.hpp"
#include "app/config.hpp"

namespace gomall::app {

inline adapters::sql::DatabaseSettings database_settings(const DatabaseConfig& c) {
    adapters::sql::DatabaseSettings s;
    s.driver = c.driver;
    s.sqlite_path = c.sqlite_path;
    s.mysql_host = c.mysql_host;
    s.mysql_port = c.mysql_port;
    s.mysql_user = c.mysql_user;
    s.mysql_password = c.mysql_password;
    s.mysql_database = c.mysql_database;
    s.mysql_connect_timeout_seconds = c.mysql_connect_timeout_seconds;
    s.mysql_read_timeout_seconds = c.mysql_read_timeout_seconds;
    s.mysql_write_timeout_seconds = c.mysql_read_timeout_seconds;
    s.pool_size = c.pool_size;
    return s;
}

/// The tables this process keeps in its database: every one, unless database.schema is "own"; then
/// those of the service its role runs (a gateway, which runs none, keeps only the ledger).
inline adapters::sql::SchemaScope schema_scope(const Config& c) {
    using adapters::sql::SchemaScope;
    using adapters::sql::TableOwner;
    const std::string& role = c.services.role;
    if (c.database.schema != "own" || role == "all") {
        return SchemaScope::whole();
    }
    if (role == "user") {
        return SchemaScope::owned_by({TableOwner::kAccounts});
    }
    if (role == "catalog") {
        return SchemaScope::owned_by({TableOwner::kCatalogue});
    }
    if (role == "order") {
        return SchemaScope::owned_by({TableOwner::kOrders});
    }
    if (role == "seckill") {
        return SchemaScope::owned_by({TableOwner::kFlashSale});
    }
    return SchemaScope::owned_by({});
}

/// For a command that fills one service's tables (the seeding commands): that service's tables in a
/// database of its own, or the whole schema.
inline adapters::sql::SchemaScope schema_scope_for(const Config& c, adapters::sql::TableOwner owner) {
    return c.database.schema == "own" ? adapters::sql::SchemaScope::owned_by({owner})
                                      : adapters::sql::SchemaScope::whole();
}

}  // namespace gomall::app
