// Wiring of the gateway's remote catalogue.
#include "app/remote_catalog.hpp"

#include "app/breaker_settings.hpp"

namespace gomall::app {
namespace {

rpc::CatalogClientSettings catalog_settings(const ServicesConfig& c) {
    rpc::CatalogClientSettings s;
    s.peer_secret = c.peer_secret;
    s.call_timeout = std::chrono::milliseconds(c.call_timeout_ms);
    return s;
}

rpc::StockClientSettings stock_settings(const ServicesConfig& c) {
    rpc::StockClientSettings s;
    s.peer_secret = c.peer_secret;
    s.call_timeout = std::chrono::milliseconds(c.call_timeout_ms);
    return s;
}

}  // namespace

RemoteCatalog::RemoteCatalog(
    const Config& config, ports::ServiceRegistry& registry, const ports::Clock& clock, ports::Metrics& metrics
)
    : pool_(registry, "catalog", breaker_settings(config.breakers), clock, metrics, rpc::ProductClient::make_stubs),
      products_(pool_, catalog_settings(config.services)),
      carts_(pool_, catalog_settings(config.services)),
      stock_(pool_, stock_settings(config.services)) {}

void RemoteCatalog::start() {
    pool_.start();
}

void RemoteCatalog::stop() {
    pool_.stop();
}

std::string RemoteCatalog::description() const {
    return "the catalogue service over gRPC (" + std::to_string(pool_.size()) + " instance(s) known)";
}

}  // namespace gomall::app
