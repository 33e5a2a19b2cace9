// The optional read replica, built from the config's database section: without
// database.mysql_replica_host it is nothing and hands back the primary repositories unchanged; with
// it, a ReplicaMonitor and the repositories that read through the replica when it is fresh enough.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "adapters/sql/database.hpp"
#include "adapters/sql/replica_monitor.hpp"
#include "adapters/sql/replica_read_order_repository.hpp"
#include "adapters/sql/replica_read_product_repository.hpp"
#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/order_repository.hpp"
#include "ports/product_repository.hpp"

namespace gomall::app {

/// The replica's connection settings: the primary's user, password and pool size where the
/// replica's are not given. Nullopt without a replica.
std::optional<adapters::sql::DatabaseSettings> replica_database_settings(const DatabaseConfig& c);

class ReplicaBackend {
public:
    /// Connects to nothing yet (start() does, in the background). All references must outlive it.
    ReplicaBackend(
        const DatabaseConfig& config,
        adapters::sql::Database& primary,
        ports::ProductRepository& primary_products,
        ports::OrderRepository& primary_orders,
        const ports::Clock& clock
    );
    ReplicaBackend(const ReplicaBackend&) = delete;
    ReplicaBackend& operator=(const ReplicaBackend&) = delete;
    ~ReplicaBackend() { stop(); }

    /// For the catalogue (ProductService) only: its reads may be up to the bound old.
    ports::ProductRepository& catalogue_products() { return products_ ? *products_ : primary_products_; }
    /// For OrderService and PaymentService: only list() may read the replica (see the adapter).
    ports::OrderRepository& orders() { return orders_ ? *orders_ : primary_orders_; }

    void measure_with(ports::Metrics& metrics);
    void start();
    void stop();
    /// "none", or the replica and its bound (never the password).
    std::string description() const;

private:
    ports::ProductRepository& primary_products_;
    ports::OrderRepository& primary_orders_;
    std::unique_ptr<adapters::sql::ReplicaMonitor> monitor_;  // all three null without a replica
    std::unique_ptr<adapters::sql::ReplicaReadProductRepository> products_;
    std::unique_ptr<adapters::sql::ReplicaReadOrderRepository> orders_;
};

}  // namespace gomall::app
