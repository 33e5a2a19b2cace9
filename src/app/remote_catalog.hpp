// The catalogue of the gateway role: the catalogue service's instances, found in the registry, and
// what the gateway calls on them over gRPC: the products (behind the gateway's own read cache), the
// carts, and the stock the gateway's order side reserves. Not part of /ready: with the catalogue
// service down, pages already cached still answer, orders can still be read, paid and cancelled
// (their stock goes back once it returns), and the flash sale goes on; the catalogue and cart
// routes answer 503 with Retry-After until it is back.
#pragma once

#include <string>

#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/service_registry.hpp"
#include "rpc/catalog_client.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/stock_client.hpp"
#include "services/cart_api_lines.hpp"

namespace gomall::app {

class RemoteCatalog {
public:
    /// `registry` must outlive this object. The clients may be handed out at once; they answer
    /// kUnavailable until start() has found an instance.
    RemoteCatalog(
        const Config& config, ports::ServiceRegistry& registry, const ports::Clock& clock, ports::Metrics& metrics
    );
    RemoteCatalog(const RemoteCatalog&) = delete;
    RemoteCatalog& operator=(const RemoteCatalog&) = delete;
    ~RemoteCatalog() { stop(); }

    /// Follows the registry.
    void start();
    void stop();

    services::ProductApi& products() { return products_; }
    services::CartApi& carts() { return carts_; }
    ports::CartLines& cart_lines() { return cart_lines_; }
    ports::StockReservations& stock() { return stock_; }
    std::string description() const;

private:
    rpc::InstancePool pool_;
    rpc::ProductClient products_;
    rpc::CartClient carts_;
    services::CartApiLines cart_lines_{carts_};
    rpc::StockClient stock_;
};

}  // namespace gomall::app
