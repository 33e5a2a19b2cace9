// The order side of the gateway role: the order service's instances, found in the registry, and
// its orders and payments called over gRPC (the HTTP handlers cannot tell the difference). Not
// part of /ready: with the order service down, the catalogue, carts, accounts and the flash sale
// go on; the order and payment routes answer 503 with Retry-After until it is back.
#pragma once

#include <string>

#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/service_registry.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/order_client.hpp"

namespace gomall::app {

class RemoteOrders {
public:
    /// `registry` must outlive this object. The clients answer kUnavailable until start() has
    /// found an instance.
    RemoteOrders(
        const Config& config, ports::ServiceRegistry& registry, const ports::Clock& clock, ports::Metrics& metrics
    );
    RemoteOrders(const RemoteOrders&) = delete;
    RemoteOrders& operator=(const RemoteOrders&) = delete;
    ~RemoteOrders() { stop(); }

    /// Follows the registry.
    void start();
    void stop();

    services::OrderApi& orders() { return orders_; }
    services::PaymentApi& payments() { return payments_; }
    std::string description() const;

private:
    rpc::InstancePool pool_;
    rpc::OrderClient orders_;
    rpc::PaymentClient payments_;
};

}  // namespace gomall::app
