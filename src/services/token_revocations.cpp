// Revoked-token set with write-through persistence and periodic pruning.
#include "services/token_revocations.hpp"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

namespace gomall::services {
namespace {

constexpr std::size_t kPruneEvery = 256;

TimePoint whole_seconds(TimePoint t) {
    return from_unix_seconds(to_unix_seconds(t));
}

/// Every entry only ever moves later (expiries, cutoffs), so applying anything twice is harmless.
template <class Key>
void keep_later(std::unordered_map<Key, TimePoint>& map, const Key& key, TimePoint until) {
    auto [it, inserted] = map.emplace(key, until);
    if (!inserted) {
        it->second = std::max(it->second, until);
    }
}

/// Already held at least this long (so a merge has nothing to add).
template <class Key>
bool covers(const std::unordered_map<Key, TimePoint>& map, const Key& key, TimePoint until) {
    const auto it = map.find(key);
    return it != map.end() && it->second >= until;
}

/// What the repository holds, split by kind.
struct Stored {
    std::vector<std::pair<std::string, TimePoint>> tokens;
    std::vector<std::pair<std::string, TimePoint>> sessions;
    std::vector<std::pair<std::int64_t, TimePoint>> cutoffs;

    std::size_t size() const { return tokens.size() + sessions.size() + cutoffs.size(); }
};

Stored read_stored(ports::RevocationRecord& repository, TimePoint now) {
    Stored stored;
    for (auto& entry : repository.active_revocations(now)) {
        if (entry.jti.starts_with(TokenRevocations::kSessionPrefix)) {
            stored.sessions.emplace_back(entry.jti.substr(TokenRevocations::kSessionPrefix.size()), entry.expires_at);
        } else {
            stored.tokens.emplace_back(std::move(entry.jti), entry.expires_at);
        }
    }
    for (const auto& cutoff : repository.session_cutoffs()) {
        stored.cutoffs.emplace_back(cutoff.user_id, cutoff.not_before);
    }
    return stored;
}

// Persist first, then announce: an instance that misses the announcement finds the revocation in the
// repository when it catches up. When persisting fails the others are told all the same (this
// instance honours the revocation from memory, so should they), and the caller still sees the error.
template <class Persist, class Announce>
void persist_then_announce(Persist persist, Announce announce) {
    try {
        persist();
    } catch (...) {
        announce();
        throw;
    }
    announce();
}

}  // namespace

TokenRevocations::TokenRevocations(ports::RevocationRecord& repository, const ports::Clock& clock)
    : repository_(repository), clock_(clock) {}

void TokenRevocations::load() {
    const Stored stored = read_stored(repository_, clock_.now());

    std::unique_lock lock(mutex_);
    tokens_.clear();
    sessions_.clear();
    cutoffs_.clear();
    for (const auto& [jti, until] : stored.tokens) {
        keep_later(tokens_, jti, until);
    }
    for (const auto& [sid, until] : stored.sessions) {
        keep_later(sessions_, sid, until);
    }
    for (const auto& [user_id, not_before] : stored.cutoffs) {
        keep_later(cutoffs_, user_id, not_before);
    }
}

std::size_t TokenRevocations::merge_from_repository() {
    Stored stored = read_stored(repository_, clock_.now());
    // Usually memory already holds everything: find out under the shared lock, which leaves the
    // verifier's lookups running, and keep only what is missing.
    {
        std::shared_lock lock(mutex_);
        std::erase_if(stored.tokens, [this](const auto& e) { return covers(tokens_, e.first, e.second); });
        std::erase_if(stored.sessions, [this](const auto& e) { return covers(sessions_, e.first, e.second); });
        std::erase_if(stored.cutoffs, [this](const auto& e) { return covers(cutoffs_, e.first, e.second); });
    }
    if (stored.size() == 0) {
        return 0;
    }
    std::unique_lock lock(mutex_);
    for (const auto& [jti, until] : stored.tokens) {
        keep_later(tokens_, jti, until);
    }
    for (const auto& [sid, until] : stored.sessions) {
        keep_later(sessions_, sid, until);
    }
    for (const auto& [user_id, not_before] : stored.cutoffs) {
        keep_later(cutoffs_, user_id, not_before);
    }
    inserts_since_prune_ += stored.tokens.size() + stored.sessions.size();
    if (inserts_since_prune_ >= kPruneEvery) {
        prune_locked(clock_.now());
    }
    return stored.size();
}

void TokenRevocations::apply_remote(const ports::RevocationEvent& event) {
    using Kind = ports::RevocationEvent::Kind;
    std::unique_lock lock(mutex_);
    switch (event.kind) {
        case Kind::kToken:
            if (!event.id.empty()) {
                keep_later(tokens_, event.id, event.until);
                note_insert_locked();
            }
            break;
        case Kind::kSession:
            if (!event.id.empty()) {
                keep_later(sessions_, event.id, event.until);
                note_insert_locked();
            }
            break;
        case Kind::kUser:
            keep_later(cutoffs_, event.user_id, event.until);
            break;
    }
}

void TokenRevocations::announce(const ports::RevocationEvent& event) const {
    if (auto* publisher = publisher_.load()) {
        publisher->publish(event);
    }
}

// Memory first, then the repository: if persisting throws, this process still honours the revocation.
void TokenRevocations::revoke_token(const std::string& jti, TimePoint expires_at) {
    {
        std::unique_lock lock(mutex_);
        keep_later(tokens_, jti, expires_at);
        note_insert_locked();
    }
    persist_then_announce(
        [&] { repository_.revoke_access(jti, expires_at); },
        [&] {
            announce({ports::RevocationEvent::Kind::kToken, jti, 0, expires_at});
        }
    );
}

void TokenRevocations::revoke_session(const std::string& session_id, TimePoint until) {
    {
        std::unique_lock lock(mutex_);
        keep_later(sessions_, session_id, until);
        note_insert_locked();
    }
    persist_then_announce(
        [&] { repository_.revoke_access(std::string(kSessionPrefix) + session_id, until); },
        [&] {
            announce({ports::RevocationEvent::Kind::kSession, session_id, 0, until});
        }
    );
}

TimePoint TokenRevocations::revoke_user_tokens(std::int64_t user_id, TimePoint changed_at) {
    // iat has second precision, so a token issued in the same second as the change cannot be told apart
    // from one issued just before it: revoke the whole second. Tokens issued afterwards start at the
    // next second (AuthService raises their iat to the cutoff), which keeps them valid.
    TimePoint not_before = whole_seconds(changed_at) + std::chrono::seconds(1);
    {
        std::unique_lock lock(mutex_);
        auto [it, inserted] = cutoffs_.emplace(user_id, not_before);
        if (!inserted) {
            it->second = std::max(it->second, not_before);
            not_before = it->second;
        }
    }
    persist_then_announce(
        [&] { repository_.set_session_cutoff(user_id, not_before); },
        [&] {
            announce({ports::RevocationEvent::Kind::kUser, {}, user_id, not_before});
        }
    );
    return not_before;
}

std::optional<TimePoint> TokenRevocations::session_cutoff(std::int64_t user_id) const {
    std::shared_lock lock(mutex_);
    const auto it = cutoffs_.find(user_id);
    if (it == cutoffs_.end()) {
        return std::nullopt;
    }
    return it->second;
}

bool TokenRevocations::is_revoked(const domain::AccessClaims& claims) const {
    std::shared_lock lock(mutex_);
    if (tokens_.contains(claims.jti)) {
        return true;
    }
    if (!claims.session_id.empty() && sessions_.contains(claims.session_id)) {
        return true;
    }
    const auto it = cutoffs_.find(claims.user_id);
    return it != cutoffs_.end() && claims.issued_at < it->second;
}

void TokenRevocations::prune() {
    const TimePoint now = clock_.now();
    std::unique_lock lock(mutex_);
    prune_locked(now);
}

std::size_t TokenRevocations::size() const {
    std::shared_lock lock(mutex_);
    return tokens_.size() + sessions_.size();
}

void TokenRevocations::note_insert_locked() {
    if (++inserts_since_prune_ >= kPruneEvery) {
        prune_locked(clock_.now());
    }
}

void TokenRevocations::prune_locked(TimePoint now) {
    // An expired token fails verification on its own, so its revocation entry is dead weight.
    std::erase_if(tokens_, [now](const auto& entry) { return entry.second <= now; });
    std::erase_if(sessions_, [now](const auto& entry) { return entry.second <= now; });
    inserts_since_prune_ = 0;
}

}  // namespace gomall::services
