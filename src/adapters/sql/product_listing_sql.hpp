// The statements of a catalogue listing (count and page), with the keyword search index's
// candidates and the LIKE check that keeps the matches exact. Separate so tests can EXPLAIN them.
#pragma once

#include <string>
#include <vector>

#include "adapters/sql/sql_util.hpp"
#include "domain/product.hpp"

namespace gomall::adapters::sql {

/// Appends to `q` the statement counting the listing's matches. With a keyword,
/// non-empty `grams` (lookup_grams) restricts the rows to products having all of them, rarest
/// first; empty `grams` leaves the keyword to LIKE alone.
void build_count_query(
    Query& q, const domain::ProductQuery& query, Dialect dialect, const std::vector<std::string>& grams
);

/// Appends to `q` the statement reading page `page` (from 1) of `page_size` products.
void build_page_query(
    Query& q,
    const domain::ProductQuery& query,
    Dialect dialect,
    const std::vector<std::string>& grams,
    int page,
    int page_size
);

}  // namespace gomall::adapters::sql
