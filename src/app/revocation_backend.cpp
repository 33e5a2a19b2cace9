// Wiring of the shared token revocations.
#include "app/revocation_backend.hpp"

#include <chrono>

#include "app/redis_settings.hpp"

namespace gomall::app {
namespace {

/// The safety-net reload from the database; see SECURITY.md ("Revocation across instances").
constexpr std::chrono::seconds kCatchUpEvery{30};

}  // namespace

RevocationBackend::RevocationBackend(
    const Config& config, services::TokenRevocations& revocations, const ports::Clock& clock, ports::Metrics& metrics
) {
    // The same rule as the flash sale's and the read cache's Redis: full mode is the one where
    // several instances share a database, and it always has Redis.
    if (config.seckill.mode != "full") {
        return;
    }
    feed_ =
        std::make_unique<adapters::redis::RedisRevocationFeed>(redis_settings(config.redis), config.redis.key_prefix);
    services::RevocationSyncSettings settings;
    settings.reload_every = kCatchUpEvery;
    settings.longest_token_life = std::chrono::seconds(config.auth.access_ttl_seconds);
    sync_ = std::make_unique<services::RevocationSync>(revocations, *feed_, clock, settings);
    if (config.metrics.enabled) {
        feed_->measure_with(metrics);
        sync_->measure_with(metrics);
    }
}

void RevocationBackend::start() {
    if (sync_) {
        sync_->start();
    }
}

void RevocationBackend::stop() {
    if (sync_) {
        sync_->stop();
    }
}

std::string RevocationBackend::description() const {
    if (!feed_) {
        return "this instance's memory and the database";
    }
    return "shared with the other instances on Redis channel " + feed_->channel() +
           ", caught up from the database after every (re)subscription and every " +
           std::to_string(kCatchUpEvery.count()) + " s";
}

}  // namespace gomall::app
