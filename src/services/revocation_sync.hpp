// Keeps this instance's revoked-token set in step with the other instances of the shop: applies the
// revocations they announce on the feed, and catches up from the database after the feed was down
// (every message sent meanwhile is lost) and every so often anyway, as a safety net for an
// announcement that never went out.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/revocation_feed.hpp"
#include "services/token_revocations.hpp"

namespace gomall::services {

struct RevocationSyncSettings {
    /// The safety net: a catch-up from the database this often, whatever the feed says.
    std::chrono::milliseconds reload_every{std::chrono::seconds(30)};
    /// After a catch-up failed (database unreachable), the next try.
    std::chrono::milliseconds retry_every{std::chrono::seconds(2)};
    /// The longest an access token or a session's last token can live (auth.access_ttl_seconds):
    /// an event whose expiry lies further ahead than this plus `clock_skew` was not made by a shop.
    std::chrono::seconds longest_token_life{900};
    /// How far other instances' clocks may run ahead of this one's.
    std::chrono::seconds clock_skew{300};
};

/// Thread-safe. start() starts the feed and a catch-up thread; stop() stops both (idempotent).
class RevocationSync {
public:
    RevocationSync(
        TokenRevocations& revocations,
        ports::RevocationFeed& feed,
        const ports::Clock& clock,
        RevocationSyncSettings settings
    );
    RevocationSync(const RevocationSync&) = delete;
    RevocationSync& operator=(const RevocationSync&) = delete;
    ~RevocationSync() { stop(); }

    /// Counts events and catch-ups in `metrics` from now on. Call before start().
    void measure_with(ports::Metrics& metrics);
    /// Also hands this instance's own revocations to the feed. Detached again by stop().
    void start();
    void stop();

    enum class Outcome : std::uint8_t {
        kApplied,  // now in memory (or already was)
        kExpired,  // the token has expired anyway: nothing to do
        kRefused,  // not something a shop instance sends (no id, no user, an expiry too far ahead)
    };
    /// One event from another instance (the feed's callback; public for tests).
    Outcome handle(const ports::RevocationEvent& event);
    /// Catches up from the database now; false when that failed (logged).
    bool catch_up();

private:
    void run();
    void request_catch_up();

    TokenRevocations& revocations_;
    ports::RevocationFeed& feed_;
    const ports::Clock& clock_;
    const RevocationSyncSettings settings_;

    ports::Counter* applied_ = nullptr;
    ports::Counter* expired_ = nullptr;
    ports::Counter* refused_ = nullptr;
    ports::Counter* catch_ups_ok_ = nullptr;
    ports::Counter* catch_ups_failed_ = nullptr;
    std::uint64_t refused_count_ = 0;  // on the feed's thread only

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool catch_up_requested_ = false;
    bool started_ = false;
    std::thread thread_;
};

}  // namespace gomall::services
