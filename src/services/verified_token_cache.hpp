// Access tokens whose signature and claims have been checked once, so the same shopper's next
// requests skip the HMAC and the JSON parse (3-4 us each, the largest cost of a signed-in request
// answered from memory, such as the flash-sale purchase).
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.hpp"
#include "domain/user.hpp"

namespace gomall::services {

/// Thread-safe. Keyed by the whole token: a shorter key (a hash) could be made to collide with a
/// valid token by someone who never held it. An entry is used only while its token is unexpired;
/// revocation is not this cache's business: the caller checks it on every request, hit or miss.
/// Bounded by `capacity` entries: a full shard first drops its expired entries, then everything
/// (a dropped token is only verified again; nothing else is lost).
class VerifiedTokenCache {
public:
    /// capacity 0 turns the cache off (find() never hits, insert() keeps nothing).
    explicit VerifiedTokenCache(std::size_t capacity);

    /// The claims of `token` when it was verified before and is still unexpired at `now`.
    std::optional<domain::AccessClaims> find(std::string_view token, TimePoint now) const;
    /// Remembers claims that verify() just accepted for `token`.
    void insert(std::string_view token, const domain::AccessClaims& claims, TimePoint now);

    std::size_t size() const;

    /// Longer tokens are never kept (the shop's own are a few hundred bytes).
    static constexpr std::size_t kMaxTokenBytes = 2048;

private:
    // The token's hash travels with it: the table then never hashes a few hundred bytes again to
    // walk a bucket or to grow (it would, for a hasher it takes to be cheap).
    struct Key {
        std::size_t hash;
        std::string token;
    };
    struct Probe {
        std::size_t hash;
        std::string_view token;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(const Key& k) const { return k.hash; }
        std::size_t operator()(const Probe& p) const { return p.hash; }
    };
    struct Equal {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return a.hash == b.hash && std::string_view(a.token) == std::string_view(b.token);
        }
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<Key, domain::AccessClaims, Hash, Equal> entries;
    };
    static constexpr std::size_t kShards = 16;

    static Probe probe(std::string_view token) { return {std::hash<std::string_view>{}(token), token}; }
    const Shard& shard_of(const Probe& p) const { return shards_[(p.hash >> 8U) % kShards]; }
    Shard& shard_of(const Probe& p) { return shards_[(p.hash >> 8U) % kShards]; }

    std::size_t per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace gomall::services
