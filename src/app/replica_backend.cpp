// Wiring of the optional read replica.
#include "app/replica_backend.hpp"

#include <chrono>

#include "app/database_settings.hpp"

namespace gomall::app {

std::optional<adapters::sql::DatabaseSettings> replica_database_settings(const DatabaseConfig& c) {
    if (c.mysql_replica_host.empty()) {
        return std::nullopt;
    }
    adapters::sql::DatabaseSettings s = database_settings(c);
    s.mysql_host = c.mysql_replica_host;
    s.mysql_port = c.mysql_replica_port;
    s.mysql_user = c.mysql_replica_user.value_or(c.mysql_user);
    s.mysql_password = c.mysql_replica_password.value_or(c.mysql_password);
    s.pool_size = c.replica_pool_size.value_or(c.pool_size);
    s.mysql_read_timeout_seconds = c.replica_read_timeout_seconds;  // only reads go there
    return s;
}

ReplicaBackend::ReplicaBackend(
    const DatabaseConfig& config,
    adapters::sql::Database& primary,
    ports::ProductRepository& primary_products,
    ports::OrderRepository& primary_orders,
    const ports::Clock& clock
)
    : primary_products_(primary_products), primary_orders_(primary_orders) {
    auto settings = replica_database_settings(config);
    if (!settings) {
        return;
    }
    monitor_ = std::make_unique<adapters::sql::ReplicaMonitor>(
        primary,
        adapters::sql::ReplicaSettings::for_bound(*settings, std::chrono::milliseconds(config.replica_max_lag_ms)),
        clock
    );
    products_ = std::make_unique<adapters::sql::ReplicaReadProductRepository>(primary_products, *monitor_);
    orders_ = std::make_unique<adapters::sql::ReplicaReadOrderRepository>(primary_orders, *monitor_);
}

void ReplicaBackend::measure_with(ports::Metrics& metrics) {
    if (monitor_) {
        monitor_->measure_with(metrics);
    }
}

void ReplicaBackend::start() {
    if (monitor_) {
        monitor_->start();
    }
}

void ReplicaBackend::stop() {
    if (monitor_) {
        monitor_->stop();
    }
}

std::string ReplicaBackend::description() const {
    return monitor_ ? monitor_->description() : "none";
}

}  // namespace gomall::app
