// A migrated database for one SQL adapter test, on SQLite or MariaDB, shared by the adapter suites.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "adapters/sql/database.hpp"
#include "adapters/sql/migrations.hpp"

namespace gomall::adapters::sql::testing {

enum class Backend { kSqlite, kMysql };

// Lets gtest and ctest print "SQLite"/"MariaDB" instead of the enum's bytes.
inline void PrintTo(Backend backend, std::ostream* os) {  // NOLINT(readability-identifier-naming): gtest's name
    *os << (backend == Backend::kSqlite ? "SQLite" : "MariaDB");
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::kSqlite ? "SQLite" : "MariaDB";
}

/// MariaDB settings from GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE, or nullopt.
inline std::optional<DatabaseSettings> mysql_settings_from_env(int pool_size) {
    const char* host = std::getenv("GOMALL_TEST_MYSQL_HOST");
    const char* port = std::getenv("GOMALL_TEST_MYSQL_PORT");
    const char* user = std::getenv("GOMALL_TEST_MYSQL_USER");
    const char* password = std::getenv("GOMALL_TEST_MYSQL_PASSWORD");
    const char* database = std::getenv("GOMALL_TEST_MYSQL_DATABASE");
    if (host == nullptr || port == nullptr || user == nullptr || password == nullptr || database == nullptr) {
        return std::nullopt;
    }
    DatabaseSettings s;
    s.driver = "mysql";
    s.mysql_host = host;
    s.mysql_port = std::atoi(port);
    s.mysql_user = user;
    s.mysql_password = password;
    s.mysql_database = database;
    s.pool_size = pool_size;
    return s;
}

inline std::filesystem::path unique_temp_dir() {
    static std::atomic<int> counter{0};
    auto dir = std::filesystem::temp_directory_path() /
               ("gomall-sql-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    return dir;
}

// Children before parents, so the foreign keys are satisfied at every step.
inline constexpr const char* kTables[] = {
    "payment_records",
    "payment_refunds",
    "payment_attempts",
    "seckill_reservations",
    "flash_sale_order_outbox",
    "stock_releases",
    "order_placements",
    "stock_reservation_lines",
    "stock_reservations",
    "order_items",
    "orders",
    "seckill_activities",
    "cart_items",
    "product_search_grams",
    "products",
    "categories",
    "user_session_cutoffs",
    "revoked_access_tokens",
    "refresh_tokens",
    "users"};

/// MariaDB only: removes the whole schema, migrations table included.
inline void drop_all_tables(Database& db) {
    SessionLease session = db.lease();
    *session << "SET FOREIGN_KEY_CHECKS = 0";
    for (const char* table : kTables) {
        *session << std::string("DROP TABLE IF EXISTS ") + table;
    }
    *session << "DROP TABLE IF EXISTS schema_migrations";
    *session << "SET FOREIGN_KEY_CHECKS = 1";
}

// Emptying the tables is much faster than recreating them on MariaDB (DDL is slow there); an
// outdated schema is dropped so the migrations run afresh.
inline void reset_database(Database& db) {
    if (schema_version(db) != migrations_for(db.dialect()).back().version) {
        drop_all_tables(db);
        return;
    }
    SessionLease session = db.lease();
    for (const char* table : kTables) {
        *session << std::string("DELETE FROM ") + table;
    }
}

/// SQLite in a fresh temporary directory, or the shared MariaDB database emptied for this test.
/// On MariaDB a server-side named lock keeps test processes that ctest runs in parallel from
/// trampling each other; it is held until the object is destroyed.
class TestDatabase {
public:
    TestDatabase() = default;
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    ~TestDatabase() { close(); }

    /// Opens and migrates; false when the backend is MariaDB and it is not configured (skip the test).
    bool open(Backend backend, int pool_size, const std::string& sqlite_file = "gomall.db") {
        if (backend == Backend::kMysql) {
            auto settings = mysql_settings_from_env(pool_size);
            if (!settings) {
                return false;
            }
            DatabaseSettings lock_settings = *settings;
            lock_settings.pool_size = 1;
            lock_db_ = std::make_unique<Database>(lock_settings);
            lock_.emplace(lock_db_->lease());
            int locked = 0;
            **lock_ << "SELECT GET_LOCK('gomall_adapter_tests', 600)", soci::into(locked);
            EXPECT_EQ(locked, 1);
            settings_ = *settings;
            db_ = std::make_unique<Database>(settings_);
            reset_database(*db_);
        } else {
            dir_ = unique_temp_dir();
            settings_ = DatabaseSettings{};
            settings_.driver = "sqlite";
            settings_.sqlite_path = (dir_ / sqlite_file).string();
            settings_.pool_size = pool_size;
            db_ = std::make_unique<Database>(settings_);
        }
        apply_migrations(*db_);
        return true;
    }

    Database* get() const { return db_.get(); }
    /// What the database was opened with, to open more connections to it.
    const DatabaseSettings& settings() const { return settings_; }
    /// The SQLite test's own directory (empty on MariaDB).
    const std::filesystem::path& dir() const { return dir_; }

    void close() {
        db_.reset();
        lock_.reset();
        lock_db_.reset();
        if (!dir_.empty()) {
            std::filesystem::remove_all(dir_);
            dir_.clear();
        }
    }

private:
    DatabaseSettings settings_;
    std::filesystem::path dir_;
    std::unique_ptr<Database> lock_db_;
    std::optional<SessionLease> lock_;
    std::unique_ptr<Database> db_;
};

}  // namespace gomall::adapters::sql::testing
