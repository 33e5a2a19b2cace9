// How instances of one shop tell each other about revoked access tokens. The database holds every
// revocation (the record); the feed only makes the others hear of it at once instead of at their
// next reload. A feed may lose events (while an instance is not listening); it then says so, and the
// receiver catches up from the database.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/time.hpp"

namespace gomall::ports {

/// One revocation, as TokenRevocations keeps it.
struct RevocationEvent {
    enum class Kind : std::uint8_t {
        kToken,    // one access token: `id` is its jti, `until` its expiry
        kSession,  // every access token of a login session: `id` is the sid, `until` when the last expires
        kUser,     // every access token of `user_id` issued before `until` (a password change)
    };
    Kind kind = Kind::kToken;
    std::string id;            // kToken, kSession
    std::int64_t user_id = 0;  // kUser
    TimePoint until{};

    bool operator==(const RevocationEvent&) const = default;
};

/// Where an instance announces its own revocations. publish() never blocks and never throws: the
/// revocation is already in the database, so an event that cannot be sent is only late elsewhere.
class RevocationPublisher {
public:
    virtual ~RevocationPublisher() = default;
    virtual void publish(const RevocationEvent& event) = 0;
};

/// The publisher and the listening side. start() runs threads of its own: `on_event` receives every
/// well-formed event of the other instances (never this one's own), `on_resync` is called after each
/// (re)subscription, including the first, since events sent while not subscribed are lost. Both are
/// called on the feed's thread, one at a time.
class RevocationFeed : public RevocationPublisher {
public:
    virtual void start(std::function<void(const RevocationEvent&)> on_event, std::function<void()> on_resync) = 0;
    virtual void stop() = 0;
};

}  // namespace gomall::ports
