// The order service as the gateway and seckill roles reach it: its instances, found in the
// registry, and its orders and payments called over gRPC (the HTTP handlers cannot tell the
// difference), and its intake of flash-sale orders (the seckill instances' outbox relay). Not part
// of /ready: with the order service down, the catalogue, carts, accounts and the flash sale go on;
// the order and payment routes answer 503 with Retry-After, and flash-sale orders wait in the
// outbox, until it is back.
#pragma once

#include <string>

#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/service_registry.hpp"
#include "rpc/flash_sale_order_client.hpp"
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
    ports::FlashSaleOrderIntake& flash_sale_orders() { return flash_sale_orders_; }
    std::string description() const;

private:
    rpc::InstancePool pool_;
    rpc::OrderClient orders_;
    rpc::PaymentClient payments_;
    rpc::FlashSaleOrderClient flash_sale_orders_;
};

}  // namespace gomall::app
