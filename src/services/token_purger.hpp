// Deletes what the token tables keep past its use: refresh tokens and access-token revocations
// whose own expiry has passed. Either would be refused by its expiry anyway (a refresh token by
// its row's expires_at, an access token by its JWT exp), so deleting them changes no answer; kept,
// the two tables grow by every login, refresh and logout for as long as the shop runs.
#pragma once

#include <chrono>
#include <cstdint>

#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/token_repository.hpp"
#include "services/periodic_worker.hpp"

namespace gomall::services {

class TokenPurger {
public:
    /// A purge every `interval` (the first one `interval` after start(), so a restart storm does
    /// not run one per instance at once). `tokens` and `clock` must outlive the purger.
    /// Throws std::invalid_argument for an interval under one millisecond.
    TokenPurger(
        ports::TokenRepository& tokens,
        const ports::Clock& clock,
        std::chrono::milliseconds interval,
        ports::Metrics& metrics
    );

    TokenPurger(const TokenPurger&) = delete;
    TokenPurger& operator=(const TokenPurger&) = delete;

    /// Starts the worker thread. No effect if it runs already.
    void start() { worker_.start(); }
    /// Wakes the worker and joins it (a purge under way finishes first). Safe to call twice.
    void stop() { worker_.stop(); }

    /// One purge, now, on the calling thread: the rows deleted, or -1 when the database failed
    /// (logged; the next purge tries again). The worker's step; exposed for tests.
    std::int64_t purge_once();

private:
    ports::TokenRepository& tokens_;
    const ports::Clock& clock_;
    const std::chrono::milliseconds interval_;
    ports::Counter& purged_;
    PeriodicWorker worker_;  // last: its thread uses the members above
};

}  // namespace gomall::services
