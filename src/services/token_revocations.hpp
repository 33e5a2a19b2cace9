// The in-memory view of revoked access tokens that the token verifier consults on every request.
// Writes go through to ports::RevocationRecord so revocations survive a restart (load() rebuilds them)
// and, when several instances share the database, are announced to the others (ports::RevocationFeed).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/time.hpp"
#include "domain/user.hpp"
#include "ports/clock.hpp"
#include "ports/revocation_feed.hpp"
#include "ports/revocation_record.hpp"

namespace gomall::services {

/// Three kinds of revocation, all checked without I/O:
///  - one access token by jti (logout);
///  - every access token of one login session by sid (logout, refresh-token reuse);
///  - every access token of a user issued before a cutoff (password change).
/// Session revocations are persisted as revoked "jti"s with the prefix "sid:" (a real jti is hex, so
/// the two never collide), which keeps the repository port unchanged. Thread-safe.
///
/// Across instances: a revocation made here is persisted first and then announced (announce_to), so
/// an instance that missed the announcement finds it in the repository when it catches up
/// (merge_from_repository); one heard from another instance (apply_remote) only enters memory.
class TokenRevocations {
public:
    TokenRevocations(ports::RevocationRecord& repository, const ports::Clock& clock);

    /// Replaces the in-memory state with what the repository still holds. Call once at startup.
    void load();
    /// Adds what the repository holds and memory lacks (a later expiry or cutoff wins); never drops
    /// anything, so a revocation made here meanwhile is kept. Reads under a shared lock and takes
    /// the exclusive one only when something is missing. Returns the number of entries added or
    /// extended. Throws what the repository throws.
    std::size_t merge_from_repository();

    /// From now on every revocation made here is also handed to `publisher`, after it is persisted.
    /// Call at wiring time; `publisher` must outlive this object or be detached with nullptr.
    void announce_to(ports::RevocationPublisher* publisher) { publisher_.store(publisher); }
    /// A revocation another instance made (and persisted): into memory only, never written back or
    /// announced again. Idempotent: a later expiry or cutoff wins, an earlier one changes nothing.
    void apply_remote(const ports::RevocationEvent& event);

    /// Revokes one access token until it expires anyway.
    void revoke_token(const std::string& jti, TimePoint expires_at);
    /// Revokes every access token carrying this sid; `until` is when the last of them expires.
    void revoke_session(const std::string& session_id, TimePoint until);
    /// Revokes every access token of the user issued at or before `changed_at` (second precision, as
    /// in the JWT iat). Returns the resulting cutoff: tokens need iat >= cutoff to be valid.
    TimePoint revoke_user_tokens(std::int64_t user_id, TimePoint changed_at);

    /// The earliest iat a new token of this user may carry, if the user ever had tokens revoked.
    std::optional<TimePoint> session_cutoff(std::int64_t user_id) const;

    bool is_revoked(const domain::AccessClaims& claims) const;

    /// Drops entries whose tokens have expired anyway. Also runs by itself every few hundred revocations.
    void prune();
    /// Number of revoked jti and sid entries held (for tests and metrics).
    std::size_t size() const;

    static constexpr std::string_view kSessionPrefix = "sid:";

private:
    void prune_locked(TimePoint now);
    void note_insert_locked();
    /// Hands `event` to the publisher, if any.
    void announce(const ports::RevocationEvent& event) const;

    ports::RevocationRecord& repository_;
    const ports::Clock& clock_;
    std::atomic<ports::RevocationPublisher*> publisher_{nullptr};
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, TimePoint> tokens_;    // jti -> expiry
    std::unordered_map<std::string, TimePoint> sessions_;  // sid -> expiry
    std::unordered_map<std::int64_t, TimePoint> cutoffs_;  // user -> not_before
    std::size_t inserts_since_prune_ = 0;
};

}  // namespace gomall::services
