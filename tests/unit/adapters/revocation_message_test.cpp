// The wire form of revocations on the Redis channel: what is written reads back the same, and
// anything else, hostile or corrupt, is refused whole.
#include "adapters/redis/revocation_message.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::adapters::redis {
namespace {

using namespace std::chrono_literals;
using Kind = ports::RevocationEvent::Kind;

constexpr std::string_view kOrigin = "0123456789abcdef";
const TimePoint kWhen = TimePoint(std::chrono::milliseconds(1'800'000'000'123));

TEST(RevocationMessage, EachKindRoundTrips) {
    const std::string long_id(kMaxRevocationIdBytes, 'a');
    for (const ports::RevocationEvent& event : std::vector<ports::RevocationEvent>{
             {Kind::kToken, "9f86d081884c7d659a2feaa0c55ad015", 0, kWhen},
             {Kind::kSession, "A-z_09", 0, kWhen},
             {Kind::kSession, long_id, 0, kWhen},
             {Kind::kUser, "", 42, kWhen},
             {Kind::kUser, "", std::numeric_limits<std::int64_t>::max(), kWhen}}) {
        const auto text = encode_revocation(kOrigin, event);
        ASSERT_TRUE(text.has_value());
        EXPECT_LE(text->size(), kMaxRevocationMessageBytes);
        const auto back = decode_revocation(*text);
        ASSERT_TRUE(back.has_value()) << *text;
        EXPECT_EQ(back->origin, kOrigin);
        EXPECT_EQ(back->event, event) << *text;
    }
}

TEST(RevocationMessage, TheFormatIsTheDocumentedOne) {
    EXPECT_EQ(
        encode_revocation(kOrigin, {Kind::kToken, "abc", 0, kWhen}), "v1 0123456789abcdef token abc 1800000000123"
    );
    EXPECT_EQ(
        encode_revocation(kOrigin, {Kind::kSession, "s1", 0, kWhen}), "v1 0123456789abcdef session s1 1800000000123"
    );
    EXPECT_EQ(encode_revocation(kOrigin, {Kind::kUser, "", 7, kWhen}), "v1 0123456789abcdef user 7 1800000000123");
}

TEST(RevocationMessage, WhatCannotBeSentIsNotEncoded) {
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kToken, "", 0, kWhen}));
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kToken, "has space", 0, kWhen}));
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kToken, std::string(kMaxRevocationIdBytes + 1, 'a'), 0, kWhen}));
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kUser, "", 0, kWhen}));
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kUser, "", -1, kWhen}));
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kToken, "a", 0, TimePoint{}}));
    EXPECT_FALSE(encode_revocation(kOrigin, {Kind::kToken, "a", 0, TimePoint{} - 1s}));
    EXPECT_FALSE(encode_revocation("ABCDEF0123456789", {Kind::kToken, "a", 0, kWhen}));
    EXPECT_FALSE(encode_revocation("0123", {Kind::kToken, "a", 0, kWhen}));
}

TEST(RevocationMessage, RefusesEverythingElse) {
    const std::string good = "v1 0123456789abcdef token abc 1800000000123";
    ASSERT_TRUE(decode_revocation(good));
    const std::string hostile[] = {
        "",
        " ",
        "v1",
        "v1 0123456789abcdef token abc",                      // a field short
        "v1 0123456789abcdef token abc 1800000000123 extra",  // a field long
        "v2 0123456789abcdef token abc 1800000000123",        // another version
        "V1 0123456789abcdef token abc 1800000000123",
        " v1 0123456789abcdef token abc 1800000000123",  // spaces around or doubled
        "v1 0123456789abcdef token abc 1800000000123 ",
        "v1  0123456789abcdef token abc 1800000000123",
        "v1 0123456789abcdef token  abc 1800000000123",
        "v1\t0123456789abcdef token abc 1800000000123",  // other separators
        "v1 0123456789abcdef token abc 1800000000123\n",
        "v1 0123456789abcdef token abc 1800000000123\r\n",
        "v1 0123456789ABCDEF token abc 1800000000123",  // origin: lowercase hex, 16 digits
        "v1 0123456789abcde token abc 1800000000123",
        "v1 0123456789abcdef0 token abc 1800000000123",
        "v1 0123456789abcdeg token abc 1800000000123",
        "v1 0123456789abcdef tokens abc 1800000000123",  // unknown kind
        "v1 0123456789abcdef all abc 1800000000123",
        "v1 0123456789abcdef TOKEN abc 1800000000123",
        "v1 0123456789abcdef token * 1800000000123",  // id alphabet
        "v1 0123456789abcdef token a.b 1800000000123",
        "v1 0123456789abcdef token sid:abc 1800000000123",
        "v1 0123456789abcdef token \xe6\x89\x8b 1800000000123",
        "v1 0123456789abcdef token abc -1800000000123",  // times: positive, plain decimal
        "v1 0123456789abcdef token abc +1800000000123",
        "v1 0123456789abcdef token abc 01800000000123",
        "v1 0123456789abcdef token abc 0",
        "v1 0123456789abcdef token abc 1.5",
        "v1 0123456789abcdef token abc 0x10",
        "v1 0123456789abcdef token abc 1e12",
        "v1 0123456789abcdef token abc 8000000000001",  // past the last representable time
        "v1 0123456789abcdef token abc 9223372036854775807",
        "v1 0123456789abcdef token abc 99999999999999999999999",
        "v1 0123456789abcdef user 0 1800000000123",  // users: positive, plain decimal
        "v1 0123456789abcdef user -7 1800000000123",
        "v1 0123456789abcdef user 07 1800000000123",
        "v1 0123456789abcdef user 7a 1800000000123",
        "v1 0123456789abcdef user abc 1800000000123",
        "v1 0123456789abcdef user 9223372036854775808 1800000000123",
        "{\"kind\":\"token\",\"id\":\"abc\"}",
    };
    for (const std::string& text : hostile) {
        EXPECT_FALSE(decode_revocation(text)) << text;
    }
    // Bytes a C string would stop at, and sizes past any well-formed message.
    EXPECT_FALSE(decode_revocation(std::string("v1 0123456789abcdef token a\0b 1800000000123", 43)));
    EXPECT_FALSE(decode_revocation(std::string(kMaxRevocationMessageBytes + 1, 'a')));
    EXPECT_FALSE(decode_revocation(good + std::string(1 << 20, ' ')));
    EXPECT_FALSE(decode_revocation("v1 0123456789abcdef token " + std::string(kMaxRevocationIdBytes + 1, 'a') + " 1"));
}

TEST(RevocationMessage, TheChannelIsTheShopsOwn) {
    EXPECT_EQ(revocation_channel("gomall"), "gomall:auth:revocations");
    EXPECT_NE(revocation_channel("shop-a"), revocation_channel("shop-b"));
}

}  // namespace
}  // namespace gomall::adapters::redis
