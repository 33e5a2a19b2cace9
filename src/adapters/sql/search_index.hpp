// The keyword search index (table product_search_grams: one row per distinct gram of a live
// product's name and description): writing it in step with the products, and choosing the grams
// a search looks up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sql/database.hpp"

namespace gomall::adapters::sql {

/// Collects (gram, product) rows and writes them in multi-row INSERTs. A row already present is
/// kept, not an error: on MariaDB the gram column compares with the products' collation, so two
/// grams of one product can be the same key ("fe" and "fé"), and a re-run backfill meets its own rows.
/// Call flush() before committing; rows not flushed are dropped.
class GramRowWriter {
public:
    GramRowWriter(soci::session& session, Dialect dialect) : session_(session), dialect_(dialect) {}

    void add(std::int64_t product_id, const std::vector<std::string>& grams);
    void add(std::int64_t product_id, std::string gram);
    void flush();
    /// Rows written so far.
    [[nodiscard]] long long written() const { return written_; }

private:
    soci::session& session_;
    Dialect dialect_;
    std::vector<std::string> grams_;  // rows not written yet, column by column
    std::vector<long long> product_ids_;
    long long written_ = 0;
};

/// Adds the rows of one product (inside the caller's transaction).
void index_product(
    soci::session& session,
    Dialect dialect,
    std::int64_t product_id,
    std::string_view name,
    std::string_view description
);

/// Removes the rows of one product, given the name and description it was indexed with.
void unindex_product(
    soci::session& session, std::int64_t product_id, std::string_view name, std::string_view description
);

/// How a keyword search uses the index: the grams to look up, rarest first, and how many index
/// rows the rarest has (the candidates LIKE will check).
struct GramLookup {
    std::vector<std::string> grams;  // empty: some gram is in no product, so nothing matches
    long long candidates = 0;
};

/// Chooses among a keyword's grams (keyword_grams; not empty): at most three, since each further
/// one costs a lookup per candidate and LIKE settles the rest. Rarity is counted in the index on
/// at most sixteen of the grams, each count stopping at the best so far (a common gram costs no
/// more than the rarest), so choosing costs little next to the search.
GramLookup lookup_grams(soci::session& session, const std::vector<std::string>& keyword_grams);

/// Indexes every live product, a page at a time (the migration that creates the table). Rows
/// already there are kept, so an interrupted run can be repeated.
void backfill_search_index(soci::session& session, Dialect dialect);

}  // namespace gomall::adapters::sql
