// A migrated SQLite database in a fresh temporary directory, removed with this object: what the
// contract tests serve their services from.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include "adapters/sql/database.hpp"
#include "adapters/sql/migrations.hpp"

namespace gomall::rpc::test_support {

class TempSqliteDatabase {
public:
    explicit TempSqliteDatabase(const std::string& prefix) {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir_);
        adapters::sql::DatabaseSettings settings;
        settings.sqlite_path = (dir_ / "gomall.db").string();
        settings.pool_size = 4;
        db_ = std::make_unique<adapters::sql::Database>(settings);
        adapters::sql::apply_migrations(*db_);
    }
    ~TempSqliteDatabase() {
        db_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    TempSqliteDatabase(const TempSqliteDatabase&) = delete;
    TempSqliteDatabase& operator=(const TempSqliteDatabase&) = delete;

    adapters::sql::Database& operator*() { return *db_; }

private:
    std::filesystem::path dir_;
    std::unique_ptr<adapters::sql::Database> db_;
};

}  // namespace gomall::rpc::test_support
