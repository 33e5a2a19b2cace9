// The read replica's connection and how fresh it is. Two small background threads:
//   - the heartbeat stamps replica_heartbeat.beat_ms on the PRIMARY with this instance's clock
//     (milliseconds since the Unix epoch) every beat interval;
//   - the check reads that row on the REPLICA every check interval (and opens the replica's pool
//     first, retrying, so a replica that is down at start-up costs nothing but its reads).
// A replica holding beat b holds everything committed on the primary before b was stamped, so
// its data is at most now - b old: that is its staleness, measured with SELECT alone (the replica's
// user needs no replication privileges). Every instance stamps the same row; the newest stamp
// counts. Clocks of instances on several machines must agree (NTP): an offset between them makes
// the staleness look smaller (or larger) by that much.
//
// A read may use the replica only while the last check succeeded and now - b <= max_lag; and
// because b keeps aging between checks, a check that hangs or stops moves reads to the primary by
// itself. A failed read on the replica marks it unhealthy until the next successful check.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "adapters/sql/database.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/replica_routing.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"

namespace gomall::adapters::sql {

struct ReplicaSettings {
    DatabaseSettings database;  // the replica's connection (driver mysql)
    std::chrono::milliseconds max_lag{2000};
    std::chrono::milliseconds beat_interval{500};
    std::chrono::milliseconds check_interval{500};

    /// Intervals for a bound: a quarter of it, at most 500 ms and at least 25 ms, so a replica that
    /// keeps up is seen as fresh (staleness up to about beat + check interval + replication delay).
    static ReplicaSettings for_bound(DatabaseSettings database, std::chrono::milliseconds max_lag);
};

/// The replica's pool and the repositories that read through it.
class ReplicaConnection final : public ReplicaReads {
public:
    explicit ReplicaConnection(const DatabaseSettings& settings)
        : database_(settings), products_(database_), orders_(database_) {}

    ports::ProductRepository& products() override { return products_; }
    ports::OrderRepository& orders() override { return orders_; }
    Database& database() { return database_; }

private:
    Database database_;
    SqlProductRepository products_;
    SqlOrderRepository orders_;
};

class ReplicaMonitor final : public ReplicaRouting {
public:
    /// `primary`, `clock` must outlive the monitor. Opens nothing yet.
    ReplicaMonitor(Database& primary, ReplicaSettings settings, const ports::Clock& clock);
    ReplicaMonitor(const ReplicaMonitor&) = delete;
    ReplicaMonitor& operator=(const ReplicaMonitor&) = delete;
    ~ReplicaMonitor() override;

    /// gomall_sql_replica_reads_total{target}, gomall_sql_replica_fallbacks_total,
    /// gomall_sql_replica_staleness_seconds and gomall_sql_replica_usable. Call before start().
    void measure_with(ports::Metrics& metrics);
    /// Starts the heartbeat and the check threads. Idempotent.
    void start();
    /// Stops and joins them (a check blocked on a dead replica is waited for).
    void stop();

    /// One heartbeat on the primary; false (and logged once per outage) when it failed.
    bool beat_once();
    /// One check of the replica (connecting first if needed); false when it failed.
    bool check_once();

    /// now - the newest beat the replica showed; nullopt before the first successful check.
    [[nodiscard]] std::optional<std::chrono::milliseconds> staleness() const;
    /// The replica may serve reads now (ignoring any write fence).
    [[nodiscard]] bool usable() const;
    /// "mysql:user@host:port/db, max lag 2000 ms", never the password.
    [[nodiscard]] std::string description() const;

    [[nodiscard]] std::int64_t now_ms() const override;
    ReplicaReads* replica_for_read(std::int64_t fence_ms) override;
    void replica_failed(const std::exception& error) noexcept override;
    void served(ReadTarget target) noexcept override;

private:
    ReplicaConnection* connect();
    void mark_unhealthy(const std::string& reason) noexcept;
    void loop(const std::stop_token& stop, std::chrono::milliseconds every, bool (ReplicaMonitor::*step)());

    Database& primary_;
    ReplicaSettings settings_;
    const ports::Clock& clock_;
    std::string description_;

    std::mutex connect_mutex_;
    std::unique_ptr<ReplicaConnection> connection_;     // set once, by the check, under connect_mutex_
    std::atomic<ReplicaConnection*> replica_{nullptr};  // published after connection_ is complete
    std::atomic<bool> healthy_{false};
    std::atomic<std::int64_t> seen_beat_ms_{0};  // 0: none seen
    std::atomic<bool> beat_failing_{false};
    std::atomic<bool> was_usable_{false};   // for logging the changes only
    std::atomic<bool> down_logged_{false};  // the current outage was logged

    ports::Counter* replica_reads_ = nullptr;  // null: not measured
    ports::Counter* primary_reads_ = nullptr;
    ports::Counter* fallbacks_ = nullptr;
    ports::MetricsRegistration staleness_gauge_;
    ports::MetricsRegistration usable_gauge_;

    std::jthread beat_thread_;  // last: stopped and joined first
    std::jthread check_thread_;
};

}  // namespace gomall::adapters::sql
