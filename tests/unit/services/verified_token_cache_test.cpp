#include "services/verified_token_cache.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

domain::AccessClaims claims_for(std::int64_t user, TimePoint expires_at = kNow + 900s) {
    domain::AccessClaims c;
    c.user_id = user;
    c.username = "user" + std::to_string(user);
    c.jti = "jti" + std::to_string(user);
    c.session_id = "sid";
    c.issued_at = kNow;
    c.expires_at = expires_at;
    return c;
}

TEST(VerifiedTokenCache, AnswersAVerifiedTokenUntilItExpires) {
    VerifiedTokenCache cache(100);
    cache.insert("aaa.bbb.ccc", claims_for(7), kNow);
    const auto hit = cache.find("aaa.bbb.ccc", kNow + 899s);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->user_id, 7);
    EXPECT_EQ(hit->jti, "jti7");
    EXPECT_FALSE(cache.find("aaa.bbb.ccc", kNow + 900s).has_value());
}

TEST(VerifiedTokenCache, MatchesOnlyTheWholeTokenByteForByte) {
    VerifiedTokenCache cache(100);
    cache.insert("aaa.bbb.ccc", claims_for(7), kNow);
    EXPECT_FALSE(cache.find("aaa.bbb.ccd", kNow).has_value());
    EXPECT_FALSE(cache.find("aaa.bbb.cc", kNow).has_value());
    EXPECT_FALSE(cache.find("aaa.bbb.ccc ", kNow).has_value());
    EXPECT_FALSE(cache.find("", kNow).has_value());
}

TEST(VerifiedTokenCache, KeepsNothingWhenOff) {
    VerifiedTokenCache cache(0);
    cache.insert("aaa.bbb.ccc", claims_for(7), kNow);
    EXPECT_FALSE(cache.find("aaa.bbb.ccc", kNow).has_value());
    EXPECT_EQ(cache.size(), 0U);
}

TEST(VerifiedTokenCache, KeepsNeitherExpiredClaimsNorOversizedTokens) {
    VerifiedTokenCache cache(100);
    cache.insert("old", claims_for(1, kNow - 1s), kNow);
    const std::string huge(VerifiedTokenCache::kMaxTokenBytes + 1, 'x');
    cache.insert(huge, claims_for(2), kNow);
    EXPECT_EQ(cache.size(), 0U);
    EXPECT_FALSE(cache.find(huge, kNow).has_value());
}

TEST(VerifiedTokenCache, StaysWithinItsCapacity) {
    constexpr std::size_t kCapacity = 64;
    VerifiedTokenCache cache(kCapacity);
    for (int i = 0; i < 10000; ++i) {
        cache.insert("token-" + std::to_string(i), claims_for(i), kNow);
        ASSERT_LE(cache.size(), kCapacity);
    }
    // The latest one is always there: a full shard makes room before it inserts.
    EXPECT_TRUE(cache.find("token-9999", kNow).has_value());
}

TEST(VerifiedTokenCache, AFullShardDropsExpiredEntriesFirst) {
    VerifiedTokenCache cache(16);  // one entry per shard
    cache.insert("short-lived", claims_for(1, kNow + 1s), kNow);
    // Later, tokens landing in the same shard as the expired one push it out instead of clearing.
    for (int i = 0; i < 200; ++i) {
        cache.insert("t" + std::to_string(i), claims_for(i), kNow + 2s);
    }
    EXPECT_FALSE(cache.find("short-lived", kNow).has_value());
    EXPECT_LE(cache.size(), 16U);
}

}  // namespace
}  // namespace gomall::services
