// Listing statements: fixed SQL fragments only; the keyword, its grams and every other value are bound.
#include "adapters/sql/product_listing_sql.hpp"

#include "adapters/sql/product_row.hpp"

namespace gomall::adapters::sql {
namespace {

// The filters every listing has, and the keyword's LIKE (after the index's conditions, if any).
void add_filters(Query& q, const domain::ProductQuery& query, Dialect dialect) {
    q.sql("WHERE p.deleted = 0");
    if (!query.include_off_shelf) {
        q.sql(" AND p.status = 1");
    }
    if (query.category_id) {
        q.sql(" AND p.category_id = ").param(*query.category_id);
    }
    if (!query.keyword.empty()) {
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

void build_count_query(Query& q, const domain::ProductQuery& query, Dialect dialect) {
    q.sql("SELECT COUNT(*) FROM products p ");
    add_filters(q, query, dialect);
}

void build_page_query(Query& q, const domain::ProductQuery& query, Dialect dialect, int page, int page_size) {
    q.sql(kProductSelect);
    add_filters(q, query, dialect);
    q.sql(order_by(query.sort));
    q.sql(" LIMIT ").param(page_size);
    q.sql(" OFFSET ").param(static_cast<long long>(page - 1) * page_size);
}

void build_match_ids_query(
    Query& q, const domain::ProductQuery& query, Dialect dialect, const std::vector<std::string>& grams
) {
    // The rarest gram's index rows come first and every other table is joined to them by key:
    // CROSS JOIN makes SQLite keep this order (left to itself it walks every live product by the
    // listing index); MySQL reads CROSS JOIN as a plain join and orders it from its statistics.
    q.sql("SELECT p.id FROM product_search_grams g0 ");
    for (std::size_t i = 1; i < grams.size(); ++i) {
        q.sql("CROSS JOIN product_search_grams g").sql(std::to_string(i)).sql(" ");
    }
    q.sql("CROSS JOIN products p ");
    add_filters(q, query, dialect);
    q.sql(" AND g0.gram = ").param(grams[0]);
    for (std::size_t i = 1; i < grams.size(); ++i) {
        const std::string alias = "g" + std::to_string(i);
        q.sql(" AND ").sql(alias).sql(".gram = ").param(grams[i]);
        q.sql(" AND ").sql(alias).sql(".product_id = g0.product_id");
    }
    q.sql(" AND p.id = g0.product_id");
    q.sql(order_by(query.sort));
}

void build_rows_by_id_query(Query& q, const std::vector<long long>& ids) {
    q.sql(kProductSelect).sql("WHERE p.id IN (");
    for (std::size_t i = 0; i < ids.size(); ++i) {
        q.sql(i == 0 ? "" : ", ").param(ids[i]);
    }
    q.sql(")");
}

}  // namespace gomall::adapters::sql
