// Wiring of the gateway's remote order side.
#include "app/remote_orders.hpp"

#include "app/breaker_settings.hpp"

namespace gomall::app {
namespace {

rpc::OrderClientSettings order_settings(const ServicesConfig& c) {
    rpc::OrderClientSettings s;
    s.peer_secret = c.peer_secret;
    s.call_timeout = std::chrono::milliseconds(c.call_timeout_ms);
    return s;
}

rpc::PaymentClientSettings payment_settings(const Config& c) {
    rpc::PaymentClientSettings s;
    s.peer_secret = c.services.peer_secret;
    s.call_timeout = std::chrono::milliseconds(c.services.call_timeout_ms);
    // Every role reads the same settings: the order service has a provider exactly when this does.
    s.configured = c.wechatpay.enabled;
    return s;
}

}  // namespace

RemoteOrders::RemoteOrders(
    const Config& config, ports::ServiceRegistry& registry, const ports::Clock& clock, ports::Metrics& metrics
)
    : pool_(registry, "order", breaker_settings(config.breakers), clock, metrics, rpc::OrderClient::make_stubs),
      orders_(pool_, order_settings(config.services)),
      payments_(pool_, payment_settings(config)),
      flash_sale_orders_(
          pool_,
          rpc::FlashSaleOrderClientSettings{
              config.services.peer_secret, std::chrono::milliseconds(config.services.call_timeout_ms)}
      ) {}

void RemoteOrders::start() {
    pool_.start();
}

void RemoteOrders::stop() {
    pool_.stop();
}

std::string RemoteOrders::description() const {
    return "the order service over gRPC (" + std::to_string(pool_.size()) + " instance(s) known)";
}

}  // namespace gomall::app
