// The statements of a catalogue listing: by a scan (count, then a page) or, for a keyword the
// search index can narrow, by the index (every match's id in order, then a page of rows by id).
// Separate so tests can EXPLAIN them.
#pragma once

#include <string>
#include <vector>

#include "adapters/sql/sql_util.hpp"
#include "domain/product.hpp"

namespace gomall::adapters::sql {

/// Appends to `q` the statement counting the listing's matches, a keyword matched by LIKE alone.
void build_count_query(Query& q, const domain::ProductQuery& query, Dialect dialect);

/// Appends to `q` the statement reading page `page` (from 1) of `page_size` products of it.
void build_page_query(Query& q, const domain::ProductQuery& query, Dialect dialect, int page, int page_size);

/// Appends to `q` the statement listing the id of every match of a keyword query, in the
/// listing's order: products having all of `grams` (not empty; rarest first, it drives) in the
/// search index, then the filters, then LIKE, which keeps the matches exactly a scan's.
void build_match_ids_query(
    Query& q, const domain::ProductQuery& query, Dialect dialect, const std::vector<std::string>& grams
);

/// Appends to `q` the statement reading the products with these ids (not empty), in any order.
void build_rows_by_id_query(Query& q, const std::vector<long long>& ids);

}  // namespace gomall::adapters::sql
