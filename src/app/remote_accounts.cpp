// Wiring of the gateway's remote accounts.
#include "app/remote_accounts.hpp"

#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/breaker_settings.hpp"
#include "core/unavailable.hpp"

namespace gomall::app {
namespace {

rpc::UserClientSettings client_settings(const ServicesConfig& c) {
    rpc::UserClientSettings s;
    s.peer_secret = c.peer_secret;
    s.call_timeout = std::chrono::milliseconds(c.call_timeout_ms);
    return s;
}

}  // namespace

RemoteAccounts::RemoteAccounts(
    const Config& config, ports::ServiceRegistry& registry, const ports::Clock& clock, ports::Metrics& metrics
)
    : settings_(client_settings(config.services)),
      pool_(registry, "user", breaker_settings(config.breakers), clock, metrics, rpc::UserClient::make_stubs),
      record_(pool_, settings_.peer_secret, settings_.call_timeout) {}

void RemoteAccounts::start(services::TokenRevocations& revocations, std::chrono::seconds wait) {
    pool_.start();
    client_.emplace(pool_, revocations, settings_);
    const auto give_up = std::chrono::steady_clock::now() + wait;
    bool told = false;
    for (;;) {
        try {
            revocations.load();
            return;
        } catch (const DependencyUnavailable& error) {
            if (std::chrono::steady_clock::now() >= give_up) {
                throw std::runtime_error(
                    "the user service did not answer within " + std::to_string(wait.count()) +
                    " s (the gateway needs its revocations before it serves): " + error.what()
                );
            }
            if (!told) {
                spdlog::info("waiting for the user service: {}", error.what());
                told = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }
}

void RemoteAccounts::stop() {
    pool_.stop();
}

services::AccountApi& RemoteAccounts::accounts() {
    if (!client_) {
        throw std::logic_error("RemoteAccounts::accounts() before start()");
    }
    return *client_;
}

std::string RemoteAccounts::description() const {
    return "the user service over gRPC (" + std::to_string(pool_.size()) + " instance(s) known)";
}

}  // namespace gomall::app
