// The search index's grams: decoding, folding, unigrams and bigrams, and the property the index
// rests on (every substring's keyword grams are grams of the text).
#include "adapters/sql/search_grams.hpp"

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::adapters::sql {
namespace {

using Grams = std::vector<std::string>;

bool includes(const Grams& all, const Grams& some) {
    return std::all_of(some.begin(), some.end(), [&all](const std::string& g) {
        return std::binary_search(all.begin(), all.end(), g);
    });
}

TEST(SearchGramsTest, TextGramsAreEveryCodePointAndEveryPairSortedAndDistinct) {
    EXPECT_EQ(text_grams("abab"), (Grams{"a", "ab", "b", "ba"}));
    EXPECT_EQ(text_grams("手机壳"), (Grams{"壳", "手", "手机", "机", "机壳"}));
    EXPECT_EQ(text_grams("x"), (Grams{"x"}));
    EXPECT_TRUE(text_grams("").empty());
}

TEST(SearchGramsTest, OnlyAsciiLettersAreFolded) {
    EXPECT_EQ(text_grams("AB"), text_grams("ab"));
    EXPECT_EQ(text_grams("Z@["), (Grams{"@", "@[", "[", "z", "z@"}));  // '@' and '[' border 'A'..'Z'
    EXPECT_EQ(text_grams("É"), (Grams{"É"}));                          // SQLite's LIKE does not fold it either
    EXPECT_NE(text_grams("É"), text_grams("é"));
    EXPECT_EQ(text_grams("Ａ"), (Grams{"Ａ"}));  // full-width stays itself
}

TEST(SearchGramsTest, FourByteCharactersAreOneCodePoint) {
    EXPECT_EQ(text_grams("a😀"), (Grams{"a", "a😀", "😀"}));
    EXPECT_EQ(decode_folded("😀").code_points, std::u32string(1, U'\U0001F600'));
}

TEST(SearchGramsTest, SpacesAndLikeMetacharactersAreOrdinaryCodePoints) {
    EXPECT_EQ(keyword_grams("a b"), (Grams{" b", "a "}));
    EXPECT_EQ(keyword_grams("%_\\"), (Grams{"%_", "_\\"}));
}

// SQLite's LIKE ends its pattern at a NUL, so only what comes before it may narrow the search.
TEST(SearchGramsTest, KeywordCountsOnlyUpToItsFirstNul) {
    EXPECT_EQ(keyword_grams(std::string("ab\0cd", 5)), (Grams{"ab"}));
    EXPECT_EQ(keyword_grams(std::string("a\0b", 3)), (Grams{"a"}));
    EXPECT_EQ(keyword_grams(std::string("\0ab", 3)), std::nullopt);
    EXPECT_EQ(keyword_grams(std::string("\0", 1)), std::nullopt);
    // In product text a NUL is an ordinary code point.
    EXPECT_EQ(text_grams(std::string("a\0", 2)), (Grams{std::string("\0", 1), "a", std::string("a\0", 2)}));
}

TEST(SearchGramsTest, KeywordNeedsItsBigramsOrItsOneUnigram) {
    EXPECT_EQ(keyword_grams("Phone"), (Grams{"ho", "ne", "on", "ph"}));
    EXPECT_EQ(keyword_grams("机"), (Grams{"机"}));
    EXPECT_EQ(keyword_grams("B"), (Grams{"b"}));
    EXPECT_EQ(keyword_grams("aaaa"), (Grams{"aa"}));
    EXPECT_EQ(keyword_grams(""), std::nullopt);  // nothing to narrow with
}

TEST(SearchGramsTest, ProductGramsNeverSpanNameAndDescription) {
    const Grams grams = product_grams("ab", "cd");
    EXPECT_EQ(grams, (Grams{"a", "ab", "b", "c", "cd", "d"}));
    EXPECT_FALSE(std::binary_search(grams.begin(), grams.end(), std::string("bc")));
}

TEST(SearchGramsTest, MalformedBytesBecomeOneReplacementEachAndAreReported) {
    const char32_t r = 0xFFFD;
    const struct {
        std::string bytes;
        std::u32string expected;
    } cases[] = {
        {"\xFF", {r}},
        {"a\x80z", {U'a', r, U'z'}},         // stray continuation byte
        {"\xC0\xAF", {r, r}},                // overlong '/'
        {"\xE0\x80\xAF", {r, r, r}},         // overlong three-byte
        {"\xED\xA0\x80", {r, r, r}},         // UTF-16 surrogate
        {"\xF4\x90\x80\x80", {r, r, r, r}},  // beyond U+10FFFF
        {"\xF0\x82\x82\xAC", {r, r, r, r}},  // overlong four-byte euro sign
        {"\xE6\x89", {r, r}},                // cut short at the end
        {"\xE6\x89"
         "A",
         {r, r, U'a'}},                      // cut short before a letter, which is still folded
        {"\xF5\x80\x80\x80", {r, r, r, r}},  // lead byte never used
    };
    for (const auto& c : cases) {
        const DecodedText decoded = decode_folded(c.bytes);
        EXPECT_FALSE(decoded.well_formed);
        EXPECT_EQ(decoded.code_points, c.expected);
        EXPECT_EQ(keyword_grams(c.bytes), std::nullopt);
    }
    EXPECT_TRUE(decode_folded("ok 好 😀 \xEF\xBF\xBD").well_formed);  // U+FFFD itself is well-formed
    EXPECT_EQ(text_grams("\xFF\xFF"), (Grams{"\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD"}));
}

TEST(SearchGramsTest, RandomBytesNeverCrashAndYieldAtMostOneCodePointPerByte) {
    std::mt19937 random(12345);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 40);
    for (int round = 0; round < 20000; ++round) {
        std::string text(static_cast<std::size_t>(length(random)), '\0');
        for (char& c : text) {
            c = static_cast<char>(byte(random));
        }
        const DecodedText decoded = decode_folded(text);
        ASSERT_LE(decoded.code_points.size(), text.size());
        const Grams grams = text_grams(text);
        ASSERT_LE(grams.size(), 2 * text.size());
        (void)keyword_grams(text);
    }
}

// The index's promise: whenever LIKE '%k%' (ASCII case-insensitive) matches a text, every gram
// the keyword needs is a gram of the text. Tried on every substring of random mixed texts, each
// with its ASCII case flipped at random.
TEST(SearchGramsTest, EverySubstringsKeywordGramsAreGramsOfTheText) {
    const std::vector<std::string> alphabet = {"a", "A", "b", "B", " ", "%", "_", "\\", "手", "机", "é", "😀", "1"};
    std::mt19937 random(7);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::bernoulli_distribution flip(0.5);
    for (int round = 0; round < 300; ++round) {
        std::vector<std::string> pieces(12);
        for (auto& piece : pieces) {
            piece = alphabet[pick(random)];
        }
        std::string text;
        for (const auto& piece : pieces) {
            text += piece;
        }
        const Grams grams = text_grams(text);
        for (std::size_t from = 0; from < pieces.size(); ++from) {
            for (std::size_t to = from + 1; to <= pieces.size(); ++to) {
                std::string keyword;
                for (std::size_t i = from; i < to; ++i) {
                    std::string piece = pieces[i];
                    if (piece.size() == 1 && std::isalpha(static_cast<unsigned char>(piece[0])) != 0 && flip(random)) {
                        piece[0] = static_cast<char>(piece[0] ^ 0x20);
                    }
                    keyword += piece;
                }
                const auto needed = keyword_grams(keyword);
                ASSERT_TRUE(needed.has_value());
                ASSERT_TRUE(includes(grams, *needed)) << "text \"" << text << "\" keyword \"" << keyword << "\"";
            }
        }
    }
}

}  // namespace
}  // namespace gomall::adapters::sql
