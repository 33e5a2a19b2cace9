// The replica's heartbeat, its freshness checks and the routing decision built on them.
#include "adapters/sql/replica_monitor.hpp"

#include <algorithm>
#include <condition_variable>
#include <stdexcept>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace gomall::adapters::sql {
namespace {

constexpr auto kMinInterval = std::chrono::milliseconds(25);
constexpr auto kMaxInterval = std::chrono::milliseconds(500);

std::string describe(const DatabaseSettings& s) {
    return "mysql:" + s.mysql_user + "@" + s.mysql_host + ":" + std::to_string(s.mysql_port) + "/" + s.mysql_database;
}

}  // namespace

ReplicaSettings ReplicaSettings::for_bound(DatabaseSettings database, std::chrono::milliseconds max_lag) {
    ReplicaSettings s;
    s.database = std::move(database);
    s.max_lag = max_lag;
    s.beat_interval = std::clamp(max_lag / 4, kMinInterval, kMaxInterval);
    s.check_interval = s.beat_interval;
    return s;
}

ReplicaMonitor::ReplicaMonitor(Database& primary, ReplicaSettings settings, const ports::Clock& clock)
    : primary_(primary),
      settings_(std::move(settings)),
      clock_(clock),
      description_(describe(settings_.database) + ", max lag " + std::to_string(settings_.max_lag.count()) + " ms") {}

ReplicaMonitor::~ReplicaMonitor() {
    stop();
}

void ReplicaMonitor::measure_with(ports::Metrics& metrics) {
    auto& reads = metrics.counter(
        "gomall_sql_replica_reads_total",
        "Catalogue and order-list reads, by the database that answered them (replica or primary).",
        {"target"}
    );
    replica_reads_ = &reads.with({"replica"});
    primary_reads_ = &reads.with({"primary"});
    fallbacks_ = &metrics
                      .counter(
                          "gomall_sql_replica_fallbacks_total",
                          "Reads the read replica failed, answered by the primary instead.",
                          {}
                      )
                      .with({});
    staleness_gauge_ = metrics.callback(
        ports::CallbackType::kGauge,
        "gomall_sql_replica_staleness_seconds",
        "How far the read replica's data is behind the primary at most (now - newest heartbeat it holds).",
        {},
        [this] {
            const auto age = staleness();
            return age ? std::vector<ports::Sample>{{{}, std::chrono::duration<double>(*age).count()}}
                       : std::vector<ports::Sample>{};
        }
    );
    usable_gauge_ = metrics.callback_gauge(
        "gomall_sql_replica_usable",
        "1 while the read replica answers and is within its staleness bound, 0 while reads go to the primary.",
        [this] { return usable() ? 1.0 : 0.0; }
    );
}

void ReplicaMonitor::start() {
    if (beat_thread_.joinable()) {
        return;
    }
    beat_thread_ = std::jthread([this](const std::stop_token& stop) {
        loop(stop, settings_.beat_interval, &ReplicaMonitor::beat_once);
    });
    check_thread_ = std::jthread([this](const std::stop_token& stop) {
        loop(stop, settings_.check_interval, &ReplicaMonitor::check_once);
    });
}

void ReplicaMonitor::stop() {
    for (auto* thread : {&beat_thread_, &check_thread_}) {
        if (thread->joinable()) {
            thread->request_stop();
            thread->join();
        }
    }
}

void ReplicaMonitor::loop(
    const std::stop_token& stop, std::chrono::milliseconds every, bool (ReplicaMonitor::*step)()
) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
        (this->*step)();
        std::unique_lock lock(mutex);
        wake.wait_for(lock, stop, every, [] { return false; });
    }
}

bool ReplicaMonitor::beat_once() {
    try {
        long long beat = now_ms();
        SessionLease session = primary_.lease();
        *session << "UPDATE replica_heartbeat SET beat_ms = :beat WHERE id = 1", soci::use(beat);
        if (beat_failing_.exchange(false)) {
            spdlog::info("read replica: heartbeat on the primary works again");
        }
        return true;
    } catch (const std::exception& e) {
        if (!beat_failing_.exchange(true)) {
            // The replica then ages past its bound on every instance that relies on this one's beat.
            spdlog::warn("read replica: heartbeat on the primary failed: {}", e.what());
        }
        return false;
    }
}

ReplicaConnection* ReplicaMonitor::connect() {
    if (auto* replica = replica_.load()) {
        return replica;
    }
    const std::lock_guard lock(connect_mutex_);
    if (!connection_) {
        connection_ = std::make_unique<ReplicaConnection>(settings_.database);  // throws when it cannot connect
        replica_.store(connection_.get());
    }
    return connection_.get();
}

bool ReplicaMonitor::check_once() {
    try {
        ReplicaConnection* replica = connect();
        long long beat = 0;
        {
            SessionLease session = replica->database().lease();
            *session << "SELECT beat_ms FROM replica_heartbeat WHERE id = 1", soci::into(beat);
            if (!session->got_data()) {
                throw std::runtime_error("replica_heartbeat has no row (schema not replicated yet)");
            }
        }
        seen_beat_ms_.store(beat);
        healthy_.store(true);
        down_logged_.store(false);
    } catch (const std::exception& e) {
        mark_unhealthy(e.what());
        return false;
    }
    const bool now_usable = usable();
    if (now_usable != was_usable_.exchange(now_usable)) {
        const auto age = staleness();
        if (now_usable) {
            spdlog::info("read replica: in use (staleness {} ms)", age ? age->count() : -1);
        } else {
            spdlog::warn(
                "read replica: {} ms behind, over the bound of {} ms; reads go to the primary",
                age ? age->count() : -1,
                settings_.max_lag.count()
            );
        }
    }
    return true;
}

void ReplicaMonitor::mark_unhealthy(const std::string& reason) noexcept {
    healthy_.store(false);
    was_usable_.store(false);
    if (down_logged_.exchange(true)) {
        return;  // once per outage, not once per failed read or check
    }
    try {
        spdlog::warn("read replica: unusable, reads go to the primary: {}", reason);
    } catch (...) {  // NOLINT(bugprone-empty-catch): logging must not turn a fallback into an error
    }
}

void ReplicaMonitor::replica_failed(const std::exception& error) noexcept {
    if (fallbacks_ != nullptr) {
        fallbacks_->inc();
    }
    mark_unhealthy(error.what());
}

void ReplicaMonitor::served(ReadTarget target) noexcept {
    auto* counter = target == ReadTarget::kReplica ? replica_reads_ : primary_reads_;
    if (counter != nullptr) {
        counter->inc();
    }
}

std::int64_t ReplicaMonitor::now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
}

std::optional<std::chrono::milliseconds> ReplicaMonitor::staleness() const {
    const std::int64_t beat = seen_beat_ms_.load();
    if (beat <= 0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms() - beat));
}

bool ReplicaMonitor::usable() const {
    if (!healthy_.load() || replica_.load() == nullptr) {
        return false;
    }
    const auto age = staleness();
    return age && *age <= settings_.max_lag;
}

ReplicaReads* ReplicaMonitor::replica_for_read(std::int64_t fence_ms) {
    // The beat must be strictly newer than the write: a beat stamped in the same millisecond may
    // have been written before it.
    if (!usable() || seen_beat_ms_.load() <= fence_ms) {
        return nullptr;
    }
    return replica_.load();
}

std::string ReplicaMonitor::description() const {
    return description_;
}

}  // namespace gomall::adapters::sql
