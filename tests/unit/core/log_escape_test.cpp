#include "core/log_escape.hpp"

#include <gtest/gtest.h>

namespace gomall {
namespace {

using namespace std::string_literals;

TEST(LogEscapeTest, QuotedFieldsCannotEndTheLineOrForgeAField) {
    EXPECT_EQ(log_quoted("/api/product/1"), "\"/api/product/1\"");
    EXPECT_EQ(log_quoted("/a\nINFO access path=/forged"), "\"/a\\x0aINFO access path=/forged\"");
    EXPECT_EQ(log_quoted("a\r\nb"), "\"a\\x0d\\x0ab\"");
    EXPECT_EQ(log_quoted("x\" status=200 y=\""), "\"x\\\" status=200 y=\\\"\"");
    EXPECT_EQ(log_quoted("back\\slash"), "\"back\\\\slash\"");
}

TEST(LogEscapeTest, QuotedFieldsEscapeNulEscapeDelAndNonAscii) {
    EXPECT_EQ(log_quoted("a\0b"s), "\"a\\x00b\"");
    EXPECT_EQ(log_quoted("\x1b[31mred"), "\"\\x1b[31mred\"");
    EXPECT_EQ(log_quoted("\x7f"), "\"\\x7f\"");
    EXPECT_EQ(log_quoted("\xe4\xb8\xad"), "\"\\xe4\\xb8\\xad\"");
    EXPECT_EQ(log_quoted(""), "\"\"");
}

TEST(LogEscapeTest, TheLineGuardEscapesOnlyControlCharacters) {
    std::string out;
    append_without_control_chars(out, "user \"x\" \\ \xe4\xb8\xad\n\t\0end"s);
    EXPECT_EQ(out, "user \"x\" \\ \xe4\xb8\xad\\x0a\\x09\\x00end");
}

}  // namespace
}  // namespace gomall
