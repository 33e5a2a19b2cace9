// Connection pool setup for SQLite and MySQL/MariaDB, session leases and transactions.
#include "adapters/sql/database.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "core/unavailable.hpp"

namespace gomall::adapters::sql {
namespace {

constexpr int kSqliteBusyTimeoutMs = 5000;
constexpr int kLeaseTimeoutMs = 30000;
// MySQL drops idle connections (wait_timeout); a session idle this long is pinged before use.
constexpr auto kIdleRevalidateAfter = std::chrono::seconds(60);

// SQLite result codes, spelled out so this file does not need sqlite3.h.
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr unsigned kMysqlLockWaitTimeout = 1205;
constexpr unsigned kMysqlDeadlock = 1213;

// SOCI connect strings are space-separated key=value pairs; quote values that need it.
std::string quote_value(const std::string& value) {
    if (!value.empty() && value.find_first_of(" '\"\\") == std::string::npos) {
        return value;
    }
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '\'';
    return out;
}

std::string first_line(std::string text) {
    const auto end = text.find_first_of("\r\n");
    if (end != std::string::npos) {
        text.resize(end);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '.')) {
        text.pop_back();
    }
    return text;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    if (from.empty()) {
        return;
    }
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
}

}  // namespace

SessionLease::SessionLease(Database* db, std::size_t position, soci::session* session)
    : db_(db), position_(position), session_(session), exceptions_at_lease_(std::uncaught_exceptions()) {}

SessionLease::SessionLease(SessionLease&& other) noexcept
    : db_(other.db_),
      position_(other.position_),
      session_(other.session_),
      exceptions_at_lease_(other.exceptions_at_lease_) {
    other.db_ = nullptr;
}

SessionLease::~SessionLease() {
    if (db_ != nullptr) {
        db_->give_back(position_, std::uncaught_exceptions() > exceptions_at_lease_);
    }
}

Transaction::Transaction(soci::session& session, Dialect dialect) : session_(session) {
    session_ << (dialect == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION");
}

Transaction::~Transaction() {
    if (open_) {
        try {
            rollback();
        } catch (...) {  // NOLINT(bugprone-empty-catch): a failed rollback leaves nothing to undo
        }
    }
}

void Transaction::commit() {
    session_ << "COMMIT";
    open_ = false;
}

void Transaction::rollback() {
    open_ = false;
    session_ << "ROLLBACK";
}

Database::Database(const DatabaseSettings& settings)
    : settings_(settings), pool_size_(static_cast<std::size_t>(settings.pool_size > 0 ? settings.pool_size : 1)) {
    if (settings_.driver == "sqlite" || settings_.driver == "sqlite3") {
        dialect_ = Dialect::kSqlite;
        description_ = "sqlite:" + settings_.sqlite_path;
    } else if (settings_.driver == "mysql" || settings_.driver == "mariadb") {
        dialect_ = Dialect::kMysql;
        description_ = "mysql:" + settings_.mysql_user + "@" + settings_.mysql_host + ":" +
                       std::to_string(settings_.mysql_port) + "/" + settings_.mysql_database;
    } else {
        throw std::runtime_error("database.driver must be \"sqlite\" or \"mysql\", not \"" + settings_.driver + "\"");
    }

    if (dialect_ == Dialect::kSqlite) {
        const std::filesystem::path path(settings_.sqlite_path);
        if (path.has_parent_path()) {
            std::error_code ec;
            std::filesystem::create_directories(path.parent_path(), ec);
            if (ec) {
                throw std::runtime_error(
                    "cannot create directory " + path.parent_path().string() + " for " + description_ + ": " +
                    ec.message()
                );
            }
        }
    }

    pool_ = std::make_unique<soci::connection_pool>(pool_size_);
    last_used_.assign(pool_size_, std::chrono::steady_clock::now());
    suspect_.assign(pool_size_, 0);
    for (std::size_t i = 0; i < pool_size_; ++i) {
        try {
            open_session(pool_->at(i));
        } catch (const std::exception& e) {
            throw std::runtime_error(describe_failure(e));
        }
    }
}

Database::~Database() = default;

std::string Database::describe_failure(const std::exception& e) const {
    std::string reason = first_line(e.what());
    // Drivers do not normally echo the password, but make sure a log line can never carry it.
    if (dialect_ == Dialect::kMysql && settings_.mysql_password.size() >= 3) {
        replace_all(reason, settings_.mysql_password, "***");
    }
    return "cannot connect to database " + description_ + ": " + reason;
}

void Database::open_session(soci::session& session) {
    if (dialect_ == Dialect::kSqlite) {
        // SOCI's SQLite backend takes a connect string without '=' as the bare file name, which
        // keeps paths with spaces or quotes intact; key=value form is only needed otherwise.
        const std::string& path = settings_.sqlite_path;
        session.open(soci::sqlite3, path.find('=') == std::string::npos ? path : "db=\"" + path + "\"");
    } else {
        session.open(
            soci::mysql,
            "host=" + quote_value(settings_.mysql_host) + " port=" + std::to_string(settings_.mysql_port) +
                " user=" + quote_value(settings_.mysql_user) + " password=" + quote_value(settings_.mysql_password) +
                " db=" + quote_value(settings_.mysql_database) + " charset=utf8mb4" +
                " connect_timeout=" + std::to_string(settings_.mysql_connect_timeout_seconds) +
                " read_timeout=" + std::to_string(settings_.mysql_read_timeout_seconds) +
                " write_timeout=" + std::to_string(settings_.mysql_write_timeout_seconds)
        );
    }
    prepare_session(session);
}

void Database::prepare_session(soci::session& session) {
    if (dialect_ == Dialect::kSqlite) {
        // busy_timeout first: switching to WAL itself needs a lock another connection may hold.
        session << "PRAGMA busy_timeout = " + std::to_string(kSqliteBusyTimeoutMs);
        std::string mode;
        session << "PRAGMA journal_mode = WAL", soci::into(mode);
        session << "PRAGMA synchronous = NORMAL";
        session << "PRAGMA foreign_keys = ON";
    } else {
        session << "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci";
        session << "SET time_zone = '+00:00'";
        // Strict mode turns silent truncation into errors, whatever the server default is.
        session << "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'";
    }
}

void Database::measure_with(ports::Metrics& metrics) {
    wait_seconds_ = &metrics
                         .histogram(
                             "gomall_sql_pool_wait_seconds",
                             "Time a caller waited for a free database connection.",
                             ports::latency_seconds_buckets(),
                             {}
                         )
                         .with({});
    auto& errors = metrics.counter(
        "gomall_sql_pool_errors_total",
        "Database connection leases that timed out waiting, or ended in an exception (statement failed, server gone).",
        {"kind"}
    );
    lease_timeouts_ = &errors.with({"timeout"});
    lease_failures_ = &errors.with({"failed"});
    pool_gauge_ = metrics.callback(
        ports::CallbackType::kGauge,
        "gomall_sql_pool_connections",
        "Database connections in the pool, by state.",
        {"state"},
        [this] {
            const auto in_use = static_cast<double>(in_use_.load());
            return std::vector<ports::Sample>{
                {{"in_use"}, in_use}, {{"idle"}, std::max(0.0, static_cast<double>(pool_size_) - in_use)}};
        }
    );
}

SessionLease Database::lease() {
    std::size_t position = 0;
    const auto asked = std::chrono::steady_clock::now();
    const bool leased = pool_->try_lease(position, kLeaseTimeoutMs);
    if (wait_seconds_ != nullptr) {
        wait_seconds_->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
        if (!leased) {
            lease_timeouts_->inc();
        }
    }
    if (!leased) {
        throw DependencyUnavailable(
            "no free database connection after " + std::to_string(kLeaseTimeoutMs / 1000) + " s (pool_size " +
            std::to_string(pool_size_) + ")"
        );
    }
    try {
        revalidate_if_idle(position);
    } catch (...) {
        pool_->give_back(position);
        if (lease_failures_ != nullptr) {
            lease_failures_->inc();
        }
        throw;
    }
    ++in_use_;
    return SessionLease(this, position, &pool_->at(position));
}

void Database::revalidate_if_idle(std::size_t position) {
    if (dialect_ != Dialect::kMysql) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    {
        const std::lock_guard lock(idle_mutex_);
        // A connection that just failed is checked at once: after a server restart every pooled
        // connection is dead, and waiting for the idle check would fail requests for that long.
        if (!suspect_[position] && now - last_used_[position] < kIdleRevalidateAfter) {
            return;
        }
    }
    soci::session& session = pool_->at(position);
    try {
        int one = 0;
        session << "SELECT 1", soci::into(one);
    } catch (const soci::soci_error&) {
        // The server closed the connection (restart, wait_timeout): open a fresh one.
        try {
            session.close();
            open_session(session);
        } catch (const std::exception& e) {
            throw DependencyUnavailable(describe_failure(e));
        }
    }
}

void Database::trace_with(ports::Tracer& tracer) {
    statement_spans_.clear();
    for (std::size_t i = 0; i < pool_size_; ++i) {
        auto spans = std::make_shared<StatementSpans>(
            tracer,
            dialect_ == Dialect::kSqlite ? "sqlite" : "mysql",
            dialect_ == Dialect::kSqlite ? settings_.sqlite_path : settings_.mysql_database
        );
        pool_->at(i).set_logger(soci::logger(new StatementSpanLogger(spans)));
        statement_spans_.push_back(std::move(spans));
    }
}

void Database::give_back(std::size_t position, bool failed) {
    --in_use_;
    if (failed && lease_failures_ != nullptr) {
        lease_failures_->inc();
    }
    if (position < statement_spans_.size()) {
        statement_spans_[position]->lease_ended(failed);
    }
    {
        const std::lock_guard lock(idle_mutex_);
        last_used_[position] = std::chrono::steady_clock::now();
        if (failed) {
            // The others may have died with it (a server restart kills them all): each is checked
            // (one SELECT 1) before its next use instead of failing a request first.
            std::fill(suspect_.begin(), suspect_.end(), 1);
        } else {
            suspect_[position] = 0;
        }
    }
    pool_->give_back(position);
}

bool is_retryable(const soci::soci_error& error) {
    if (const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&error)) {
        return my->err_num_ == kMysqlDeadlock || my->err_num_ == kMysqlLockWaitTimeout;
    }
    if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
        const int primary = lite->result() & 0xff;  // extended codes keep the primary code in the low byte
        return primary == kSqliteBusy || primary == kSqliteLocked;
    }
    return false;
}

void retry_backoff(int attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt * attempt));
}

}  // namespace gomall::adapters::sql
