#include "core/money.hpp"

#include <gtest/gtest.h>

namespace gomall {
namespace {

TEST(FormatYuan, WritesTwoDecimalsExactly) {
    EXPECT_EQ(format_yuan(599900), "5999.00");
    EXPECT_EQ(format_yuan(1), "0.01");
    EXPECT_EQ(format_yuan(0), "0.00");
    EXPECT_EQ(format_yuan(-5), "-0.05");
    EXPECT_EQ(format_yuan(123456789012345), "1234567890123.45");
}

TEST(ParseYuan, AcceptsAtMostTwoDecimals) {
    EXPECT_EQ(parse_yuan("12"), 1200);
    EXPECT_EQ(parse_yuan("12.5"), 1250);
    EXPECT_EQ(parse_yuan("12.05"), 1205);
    EXPECT_EQ(parse_yuan("0.1"), 10);
    EXPECT_EQ(parse_yuan("-3.10"), -310);
}

TEST(ParseYuan, RejectsEverythingElse) {
    for (const char* bad : {"", "1.234", "1.", ".5", "abc", "1e3", "1,00", "--1", "99999999999999999999"}) {
        EXPECT_FALSE(parse_yuan(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace gomall
