// Listing statements: fixed SQL fragments only; the keyword, its grams and every other value are bound.
#include "adapters/sql/product_listing_sql.hpp"

#include "adapters/sql/product_row.hpp"

namespace gomall::adapters::sql {
namespace {

// The tables of a listing. With grams, the rarest gram's index rows come first and every other
// table is joined to them by key: CROSS JOIN makes SQLite keep this order (left to itself it scans
// every live product by the listing index and tests each against the candidates); MySQL reads
// CROSS JOIN as a plain join and orders it from its own statistics.
void add_tables(Query& q, const std::vector<std::string>& grams) {
    if (grams.empty()) {
        q.sql("FROM products p ");
        return;
    }
    q.sql("FROM product_search_grams g0 ");
    for (std::size_t i = 1; i < grams.size(); ++i) {
        q.sql("CROSS JOIN product_search_grams g").sql(std::to_string(i)).sql(" ");
    }
    q.sql("CROSS JOIN products p ");
}

// Products having every one of `grams` in the index.
void add_gram_match(Query& q, const std::vector<std::string>& grams) {
    q.sql(" AND g0.gram = ").param(grams[0]);
    for (std::size_t i = 1; i < grams.size(); ++i) {
        const std::string alias = "g" + std::to_string(i);
        q.sql(" AND ").sql(alias).sql(".gram = ").param(grams[i]);
        q.sql(" AND ").sql(alias).sql(".product_id = g0.product_id");
    }
    q.sql(" AND p.id = g0.product_id");
}

// The WHERE clause, the same for the count and the page. With a keyword, the index (when `grams`
// is not empty) gives the candidates and LIKE decides, so the matches are exactly LIKE's.
void add_filters(Query& q, const domain::ProductQuery& query, Dialect dialect, const std::vector<std::string>& grams) {
    q.sql("WHERE p.deleted = 0");
    if (!query.include_off_shelf) {
        q.sql(" AND p.status = 1");
    }
    if (query.category_id) {
        q.sql(" AND p.category_id = ").param(*query.category_id);
    }
    if (!query.keyword.empty()) {
        if (!grams.empty()) {
            add_gram_match(q, grams);
        }
        const std::string pattern = "%" + escape_like(query.keyword) + "%";
        q.sql(" AND (p.name LIKE ").param(pattern).sql(like_escape_clause(dialect));
        q.sql(" OR p.description LIKE ").param(pattern).sql(like_escape_clause(dialect)).sql(")");
    }
}

const char* order_by(domain::ProductSort sort) {
    switch (sort) {
        case domain::ProductSort::kPriceAsc:
            return " ORDER BY p.price_cents ASC, p.id ASC";
        case domain::ProductSort::kPriceDesc:
            return " ORDER BY p.price_cents DESC, p.id DESC";
        case domain::ProductSort::kSales:
            return " ORDER BY p.sales DESC, p.id DESC";
        case domain::ProductSort::kNewest:
            break;
    }
    return " ORDER BY p.created_at DESC, p.id DESC";
}

}  // namespace

void build_count_query(
    Query& q, const domain::ProductQuery& query, Dialect dialect, const std::vector<std::string>& grams
) {
    const std::vector<std::string> none;
    const auto& used = query.keyword.empty() ? none : grams;
    q.sql("SELECT COUNT(*) ");
    add_tables(q, used);
    add_filters(q, query, dialect, used);
}

void build_page_query(
    Query& q,
    const domain::ProductQuery& query,
    Dialect dialect,
    const std::vector<std::string>& grams,
    int page,
    int page_size
) {
    const std::vector<std::string> none;
    const auto& used = query.keyword.empty() ? none : grams;
    q.sql(kProductColumns);
    add_tables(q, used);
    q.sql(kCategoryJoin);
    add_filters(q, query, dialect, used);
    q.sql(order_by(query.sort));
    q.sql(" LIMIT ").param(page_size);
    q.sql(" OFFSET ").param(static_cast<long long>(page - 1) * page_size);
}

}  // namespace gomall::adapters::sql
