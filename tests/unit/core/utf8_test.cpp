// UTF-8 well-formedness and repair: what error messages quoting a client's bytes rely on before
// they become JSON text or proto3 strings.
#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace gomall {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";

TEST(Utf8, WellFormedSequencesAreMeasuredWhole) {
    EXPECT_EQ(utf8_sequence("a"), 1U);
    EXPECT_EQ(utf8_sequence("\xC3\xA9x"), 2U);         // é
    EXPECT_EQ(utf8_sequence("\xE4\xB8\xAD"), 3U);      // 中
    EXPECT_EQ(utf8_sequence("\xF0\x9F\x98\x80"), 4U);  // an emoji
    EXPECT_EQ(utf8_sequence("\xF4\x8F\xBF\xBF"), 4U);  // U+10FFFF, the last code point
}

TEST(Utf8, MalformedSequencesAreRefused) {
    EXPECT_EQ(utf8_sequence("\x80"), 0U);              // a continuation byte alone
    EXPECT_EQ(utf8_sequence("\xC0\xAF"), 0U);          // overlong '/'
    EXPECT_EQ(utf8_sequence("\xE0\x80\xAF"), 0U);      // overlong, three bytes
    EXPECT_EQ(utf8_sequence("\xED\xA0\x80"), 0U);      // a UTF-16 surrogate
    EXPECT_EQ(utf8_sequence("\xF4\x90\x80\x80"), 0U);  // past U+10FFFF
    EXPECT_EQ(utf8_sequence("\xE4\xB8"), 0U);          // cut short
    EXPECT_EQ(utf8_sequence("\xFF"), 0U);
}

TEST(Utf8, RepairReplacesEachBadByteAndKeepsEverythingElse) {
    EXPECT_EQ(valid_utf8("order 中-1"), "order 中-1");
    EXPECT_EQ(
        valid_utf8("order \xED\xA0\x80!"), std::string("order ") + kReplacement + kReplacement + kReplacement + "!"
    );
    EXPECT_EQ(valid_utf8("\xC3"), kReplacement);
    EXPECT_EQ(valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is well-formed
    EXPECT_EQ(valid_utf8(""), "");
}

}  // namespace
}  // namespace gomall
