// Wiring of the token revocations shared by instances: in full mode (several instances on one
// database and one Redis) a feed on Redis pub/sub and the sync that applies what the others
// announce and catches up from the database; in embedded mode nothing (one instance, whose memory
// is the whole truth).
#pragma once

#include <memory>
#include <string>

#include "adapters/redis/redis_revocation_feed.hpp"
#include "app/config.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "services/revocation_sync.hpp"
#include "services/token_revocations.hpp"

namespace gomall::app {

class RevocationBackend {
public:
    RevocationBackend(
        const Config& config,
        services::TokenRevocations& revocations,
        const ports::Clock& clock,
        ports::Metrics& metrics
    );
    RevocationBackend(const RevocationBackend&) = delete;
    RevocationBackend& operator=(const RevocationBackend&) = delete;
    ~RevocationBackend() { stop(); }

    /// Starts listening and announcing (full mode); no-op otherwise. Call after the revocations were
    /// loaded and before requests are served.
    void start();
    void stop();
    std::string description() const;

private:
    std::unique_ptr<adapters::redis::RedisRevocationFeed> feed_;
    std::unique_ptr<services::RevocationSync> sync_;
};

}  // namespace gomall::app
