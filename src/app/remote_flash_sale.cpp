// Wiring of the gateway's remote flash sale.
#include "app/remote_flash_sale.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include "app/breaker_settings.hpp"

namespace gomall::app {
namespace {

rpc::SeckillClientSettings client_settings(const ServicesConfig& c) {
    rpc::SeckillClientSettings s;
    s.peer_secret = c.peer_secret;
    s.call_timeout = std::chrono::milliseconds(c.call_timeout_ms);
    s.purchase_timeout = std::chrono::milliseconds(c.purchase_timeout_ms);
    return s;
}

}  // namespace

RemoteFlashSale::RemoteFlashSale(
    const Config& config,
    ports::ServiceRegistry& registry,
    const ports::Clock& clock,
    ports::Metrics& metrics,
    const boost::asio::any_io_executor& executor,
    Use use
)
    : use_(use),
      pool_(registry, "seckill", breaker_settings(config.breakers), clock, metrics, rpc::SeckillClient::make_stubs),
      client_(pool_, client_settings(config.services), executor) {}

std::string RemoteFlashSale::description() const {
    return "the seckill service over gRPC (" + std::to_string(pool_.size()) + " instance(s) known)";
}

void RemoteFlashSale::start() {
    pool_.start();
    if (use_ == Use::kEverything) {
        client_.start();
    }
}

void RemoteFlashSale::stop() {
    client_.stop();
    pool_.stop();
}

}  // namespace gomall::app
