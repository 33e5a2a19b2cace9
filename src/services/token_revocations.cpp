// Revoked-token set with write-through persistence and periodic pruning.
#include "services/token_revocations.hpp"

#include <algorithm>
#include <chrono>

namespace gomall::services {
namespace {

constexpr std::size_t kPruneEvery = 256;

TimePoint whole_seconds(TimePoint t) {
    return from_unix_seconds(to_unix_seconds(t));
}

void keep_later(std::unordered_map<std::string, TimePoint>& map, const std::string& key, TimePoint until) {
    auto [it, inserted] = map.emplace(key, until);
    if (!inserted) {
        it->second = std::max(it->second, until);
    }
}

}  // namespace

TokenRevocations::TokenRevocations(ports::TokenRepository& repository, const ports::Clock& clock)
    : repository_(repository), clock_(clock) {}

void TokenRevocations::load() {
    const TimePoint now = clock_.now();
    auto revoked = repository_.active_revocations(now);
    auto cutoffs = repository_.session_cutoffs();

    std::unique_lock lock(mutex_);
    tokens_.clear();
    sessions_.clear();
    cutoffs_.clear();
    for (auto& entry : revoked) {
        if (entry.jti.starts_with(kSessionPrefix)) {
            keep_later(sessions_, entry.jti.substr(kSessionPrefix.size()), entry.expires_at);
        } else {
            keep_later(tokens_, entry.jti, entry.expires_at);
        }
    }
    for (const auto& cutoff : cutoffs) {
        auto [it, inserted] = cutoffs_.emplace(cutoff.user_id, cutoff.not_before);
        if (!inserted) {
            it->second = std::max(it->second, cutoff.not_before);
        }
    }
}

// Memory first, then the repository: if persisting throws, this process still honours the revocation.
void TokenRevocations::revoke_token(const std::string& jti, TimePoint expires_at) {
    {
        std::unique_lock lock(mutex_);
        keep_later(tokens_, jti, expires_at);
        note_insert_locked();
    }
    repository_.revoke_access(jti, expires_at);
}

void TokenRevocations::revoke_session(const std::string& session_id, TimePoint until) {
    {
        std::unique_lock lock(mutex_);
        keep_later(sessions_, session_id, until);
        note_insert_locked();
    }
    repository_.revoke_access(std::string(kSessionPrefix) + session_id, until);
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
    repository_.set_session_cutoff(user_id, not_before);
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
