// The database adapter's settings from the config's `database` section (the server, the CLI's
// migrate/seed commands and seed-products open the same database).
#pragma once

#include "adapters/sql/database.hpp"
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

}  // namespace gomall::app
