// The n-grams of the keyword search index: product text and keywords cut into code-point unigrams
// and bigrams, so a keyword's candidates can be found by exact gram lookups on any SQL database.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gomall::adapters::sql {

/// Code points of UTF-8 `text` with ASCII letters folded to lower case (the only folding SQLite's
/// LIKE does; MariaDB's collation folds more, and its gram column compares with that collation).
/// A byte that does not begin a well-formed sequence (stray continuation, overlong form, surrogate,
/// beyond U+10FFFF, cut short) becomes one U+FFFD and decoding goes on at the next byte.
struct DecodedText {
    std::u32string code_points;
    bool well_formed = true;
};
DecodedText decode_folded(std::string_view text);

/// Distinct grams of one text, UTF-8 encoded and sorted: every code point alone and every pair of
/// consecutive code points. The unigrams let a one-character keyword use the index too.
std::vector<std::string> text_grams(std::string_view text);

/// Distinct grams of a product: those of its name and of its description (no pair spans the two,
/// as LIKE matches each field on its own).
std::vector<std::string> product_grams(std::string_view name, std::string_view description);

/// The grams every product matching `keyword` as a LIKE substring (ASCII case-insensitively) must
/// have: its distinct bigrams, or its one unigram when it is a single code point. Only the part
/// before a NUL counts: SQLite's LIKE ends its pattern there (so "a\0b" finds texts ending in "a"),
/// and fewer grams only mean more candidates for LIKE to check. nullopt when the index cannot
/// narrow the search and LIKE must scan: no grams (empty, or starting with NUL), or not well-formed
/// UTF-8 (the databases' LIKE reads such bytes in their own ways).
std::optional<std::vector<std::string>> keyword_grams(std::string_view keyword);

}  // namespace gomall::adapters::sql
