#include "core/time.hpp"

#include <gtest/gtest.h>

namespace gomall {
namespace {

TEST(Iso8601, RoundTripsInUtc) {
    const auto t = from_unix_seconds(1764032523);  // 2025-11-25T01:02:03Z
    EXPECT_EQ(format_iso8601(t), "2025-11-25T01:02:03Z");
    EXPECT_EQ(parse_iso8601("2025-11-25T01:02:03Z"), t);
}

TEST(Iso8601, AppliesOffsetsAndFractions) {
    EXPECT_EQ(parse_iso8601("2025-11-25T09:02:03+08:00"), from_unix_seconds(1764032523));
    EXPECT_EQ(parse_iso8601("2025-11-24T20:02:03.250-05:00"), from_unix_seconds(1764032523));
}

TEST(Iso8601, RejectsMalformedOrOffsetlessTimes) {
    for (const char* bad :
         {"",
          "2025-11-25",
          "2025-11-25T01:02:03",
          "2025-13-01T00:00:00Z",
          "2025-02-30T00:00:00Z",
          "2025-11-25T25:00:00Z",
          "2025-11-25T01:02:03+8",
          "garbage"}) {
        EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
    }
}

TEST(SqlUtc, SortsLexicallyAndRoundTrips) {
    const auto t = from_unix_seconds(1764032523);
    EXPECT_EQ(format_sql_utc(t), "2025-11-25 01:02:03");
    EXPECT_EQ(parse_sql_utc("2025-11-25 01:02:03"), t);
    EXPECT_EQ(format_compact_utc(t), "20251125010203");
}

}  // namespace
}  // namespace gomall
