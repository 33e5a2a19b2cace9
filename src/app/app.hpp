// The composition root: the only place that names concrete adapters. Builds the database,
// repositories, services, routes, background workers and the HTTP server from the config,
// and owns them; members are declared in dependency order so destruction runs in reverse.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "app/config.hpp"

namespace gomall::app {

class App {
public:
    explicit App(Config config);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    /// Migrates, provisions the admin, seeds an empty catalogue, starts workers and the server.
    /// Returns generated admin credentials when it created the admin account (printed once).
    std::optional<std::string> start();
    std::uint16_t port() const;
    /// (method, pattern) of every registered route, e.g. ("POST", "/api/order/:order_no/pay").
    std::vector<std::pair<std::string, std::string>> routes() const;
    /// Graceful stop: the server drains in-flight requests, then the workers stop, then the pool closes.
    void stop();

private:
    struct Parts;
    Config config_;
    std::unique_ptr<Parts> parts_;
};

/// Opens the configured database and applies pending migrations; returns how many were applied.
int migrate_database(const Config& config);
/// Migrates and fills an empty catalogue with the demo data; returns true if it seeded.
bool seed_database(const Config& config);
/// Load-test support: makes `count` shoppers "<prefix>_<n>" (one bcrypt hash shared by all, so
/// thousands take seconds, not minutes; existing ones are reused) and writes one valid access
/// token per line to `out`. Returns how many accounts it created.
int seed_shoppers(
    const Config& config, int count, const std::string& prefix, const std::string& password, std::ostream& out
);

}  // namespace gomall::app
