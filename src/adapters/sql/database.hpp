// Pooled SOCI connections to the shop's SQL database (SQLite embedded, or MySQL/MariaDB),
// with per-dialect session setup, a pooled-session lease and a write-transaction helper.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/statement_spans.hpp"
#include "ports/metrics.hpp"
#include "ports/tracer.hpp"

namespace gomall::adapters::sql {

enum class Dialect { kSqlite, kMysql };

/// Connection settings, as read from the `database.*` config section.
struct DatabaseSettings {
    std::string driver = "sqlite";  // "sqlite" or "mysql"
    std::string sqlite_path = "var/gomall.db";
    std::string mysql_host = "127.0.0.1";
    int mysql_port = 3306;
    std::string mysql_user = "gomall";
    std::string mysql_password;
    std::string mysql_database = "gomall";
    // Bounds on waiting for the server (the client library tries a read or write up to three
    // times, so a frozen server is given up after about three times these), in seconds.
    int mysql_connect_timeout_seconds = 5;
    int mysql_read_timeout_seconds = 30;
    int mysql_write_timeout_seconds = 30;
    int pool_size = 8;
};

class Database;

/// Exclusive use of one pooled session; gives it back to the pool when destroyed.
class SessionLease {
public:
    SessionLease(SessionLease&& other) noexcept;
    SessionLease& operator=(SessionLease&&) = delete;
    SessionLease(const SessionLease&) = delete;
    SessionLease& operator=(const SessionLease&) = delete;
    ~SessionLease();

    soci::session& operator*() const { return *session_; }
    soci::session* operator->() const { return session_; }
    soci::session& session() const { return *session_; }

private:
    friend class Database;
    SessionLease(Database* db, std::size_t position, soci::session* session);

    Database* db_;
    std::size_t position_;
    soci::session* session_;
    int exceptions_at_lease_;  // std::uncaught_exceptions() when leased: more at the end = given back by a throw
};

/// A write transaction on a leased session. SQLite starts it with BEGIN IMMEDIATE so the
/// write lock is taken up front (a deferred transaction that later upgrades its lock can
/// fail with SQLITE_BUSY without waiting). Rolls back on destruction unless committed.
class Transaction {
public:
    Transaction(soci::session& session, Dialect dialect);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    void commit();
    void rollback();

private:
    soci::session& session_;
    bool open_ = true;
};

/// The connection pool. Thread-safe; every call blocks (run it off the I/O threads).
class Database {
public:
    /// Opens `pool_size` connections and prepares each session. Throws std::runtime_error
    /// with a one-line message (never containing the password) when it cannot connect.
    explicit Database(const DatabaseSettings& settings);
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    [[nodiscard]] Dialect dialect() const { return dialect_; }
    [[nodiscard]] std::size_t pool_size() const { return pool_size_; }
    /// "sqlite:var/gomall.db" or "mysql:gomall@127.0.0.1:3306/gomall", for logs.
    [[nodiscard]] const std::string& description() const { return description_; }

    /// Waits for a free session (throws after a long wait, which means the pool is too small or leaking).
    SessionLease lease();

    /// Records the pool's use into `metrics` from now on: connections in use and idle, the wait
    /// for a free one, leases that timed out or ended in an exception. Call at wiring, before
    /// the first lease; `metrics` must outlive the database.
    void measure_with(ports::Metrics& metrics);

    /// Opens a span per statement from now on (see StatementSpans). Call at wiring, before the
    /// first lease; `tracer` must outlive the database.
    void trace_with(ports::Tracer& tracer);

private:
    friend class SessionLease;
    /// `failed`: the lease ended in an exception, so the connection may be dead (server restarted).
    void give_back(std::size_t position, bool failed);
    void open_session(soci::session& session);
    void prepare_session(soci::session& session);
    void revalidate_if_idle(std::size_t position);
    std::string describe_failure(const std::exception& e) const;

    DatabaseSettings settings_;
    Dialect dialect_;
    std::size_t pool_size_;
    std::string description_;
    std::unique_ptr<soci::connection_pool> pool_;
    std::mutex idle_mutex_;
    std::vector<std::chrono::steady_clock::time_point> last_used_;
    std::vector<std::shared_ptr<StatementSpans>> statement_spans_;  // by position; empty: not traced
    std::vector<char> suspect_;  // a lease ended in an exception since this one was checked: check before reuse
    std::atomic<std::size_t> in_use_{0};
    ports::Histogram* wait_seconds_ = nullptr;  // null: not measured
    ports::Counter* lease_timeouts_ = nullptr;
    ports::Counter* lease_failures_ = nullptr;
    ports::MetricsRegistration pool_gauge_;  // last: dropped first, while in_use_ still exists
};

/// True for errors worth retrying the whole transaction: MySQL deadlock / lock wait
/// timeout, SQLite busy/locked.
bool is_retryable(const soci::soci_error& error);
/// Sleeps a little, longer on each attempt, so retried transactions stop colliding.
void retry_backoff(int attempt);

/// Runs `work` (which opens its own Transaction) and retries it a few times on retryable errors.
template <class F>
auto with_retry(F&& work) -> decltype(work()) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
        try {
            return work();
        } catch (const soci::soci_error& e) {
            if (attempt >= kAttempts || !is_retryable(e)) {
                throw;
            }
        }
        retry_backoff(attempt);
    }
}

}  // namespace gomall::adapters::sql
