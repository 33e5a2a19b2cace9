#include "services/verified_token_cache.hpp"

#include <algorithm>
#include <iterator>

namespace gomall::services {

VerifiedTokenCache::VerifiedTokenCache(std::size_t capacity)
    : per_shard_(capacity == 0 ? 0 : std::max<std::size_t>(1, capacity / kShards)) {}

std::optional<domain::AccessClaims> VerifiedTokenCache::find(std::string_view token, TimePoint now) const {
    if (per_shard_ == 0 || token.size() > kMaxTokenBytes) {
        return std::nullopt;
    }
    const Probe key = probe(token);
    const Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(key);
    if (it == shard.entries.end() || now >= it->second.expires_at) {
        return std::nullopt;
    }
    return it->second;
}

void VerifiedTokenCache::insert(std::string_view token, const domain::AccessClaims& claims, TimePoint now) {
    if (per_shard_ == 0 || token.size() > kMaxTokenBytes || now >= claims.expires_at) {
        return;
    }
    const Probe key = probe(token);
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= per_shard_ && !shard.entries.contains(key)) {
        std::erase_if(shard.entries, [now](const auto& entry) { return now >= entry.second.expires_at; });
        if (shard.entries.size() >= per_shard_) {
            shard.entries.clear();
        }
    }
    shard.entries.insert_or_assign(Key{key.hash, std::string(token)}, claims);
}

std::size_t VerifiedTokenCache::size() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.entries.size();
    }
    return total;
}

}  // namespace gomall::services
