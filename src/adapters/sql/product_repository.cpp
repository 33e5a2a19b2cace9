// Catalogue queries in SQL. Listing SQL is assembled from fixed fragments only; the keyword and
// every other value are bound parameters.
#include "adapters/sql/product_repository.hpp"

#include <algorithm>

#include "adapters/sql/product_row.hpp"
#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

struct CategoryRow {
    long long id = 0;
    std::string name;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(name));
    }
};

// Appends the WHERE clause of a listing; used for both the count and the page query.
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

std::optional<domain::Category> first_category(soci::session& session, Query& q) {
    auto rows = fetch_rows<CategoryRow>(session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return domain::Category{rows.front().id, rows.front().name};
}

}  // namespace

domain::Page<domain::Product> SqlProductRepository::list(const domain::ProductQuery& query) {
    domain::Page<domain::Product> page;
    page.page = std::max(1, query.page);
    page.page_size = std::max(1, query.page_size);

    SessionLease session = db_.lease();
    Query count("SELECT COUNT(*) FROM products p ");
    add_filters(count, query, db_.dialect());
    page.total = fetch_integer(*session, count);
    if (page.total == 0) {
        return page;
    }

    Query rows(kProductSelect);
    add_filters(rows, query, db_.dialect());
    rows.sql(order_by(query.sort));
    rows.sql(" LIMIT ").param(page.page_size);
    rows.sql(" OFFSET ").param(static_cast<long long>(page.page - 1) * page.page_size);
    for (const ProductRow& row : fetch_rows<ProductRow>(*session, rows)) {
        page.items.push_back(row.to_domain());
    }
    return page;
}

std::optional<domain::Product> SqlProductRepository::find(std::int64_t id) {
    SessionLease session = db_.lease();
    Query q(kProductSelect);
    q.sql("WHERE p.deleted = 0 AND p.id = ").param(id);
    auto rows = fetch_rows<ProductRow>(*session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front().to_domain();
}

std::int64_t SqlProductRepository::create(const domain::NewProduct& product, TimePoint now) {
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(now);
    Query q(
        "INSERT INTO products (name, description, price_cents, stock, sales, status, deleted, category_id, "
        "image_url, created_at, updated_at) VALUES ("
    );
    q.param(product.name).sql(", ").param(product.description).sql(", ").param(product.price).sql(", ");
    q.param(product.stock).sql(", 0, ").param(static_cast<long long>(product.status)).sql(", 0, ");
    if (product.category_id > 0) {
        q.param(product.category_id);
    } else {
        q.sql("NULL");
    }
    q.sql(", ").param(product.image_url).sql(", ").param(stamp).sql(", ").param(stamp).sql(")");
    execute_counting(*session, q);
    long long id = 0;
    session->get_last_insert_id("products", id);
    return id;
}

bool SqlProductRepository::update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) {
    SessionLease session = db_.lease();
    // Only the fields present in the patch are written, so a concurrent order's stock
    // decrement is never overwritten by a stale value.
    Query q("UPDATE products SET updated_at = ");
    q.param(to_db_time(now));
    if (patch.name) {
        q.sql(", name = ").param(*patch.name);
    }
    if (patch.description) {
        q.sql(", description = ").param(*patch.description);
    }
    if (patch.price) {
        q.sql(", price_cents = ").param(*patch.price);
    }
    if (patch.stock) {
        q.sql(", stock = ").param(*patch.stock);
    }
    if (patch.category_id) {
        if (*patch.category_id > 0) {
            q.sql(", category_id = ").param(*patch.category_id);
        } else {
            q.sql(", category_id = NULL");
        }
    }
    if (patch.image_url) {
        q.sql(", image_url = ").param(*patch.image_url);
    }
    if (patch.status) {
        q.sql(", status = ").param(static_cast<long long>(*patch.status));
    }
    q.sql(" WHERE deleted = 0 AND id = ").param(id);
    if (execute_counting(*session, q) > 0) {
        return true;
    }
    // MySQL reports 0 affected rows when nothing actually changed; tell that apart from "missing".
    Query exists("SELECT COUNT(*) FROM products WHERE deleted = 0 AND id = ");
    exists.param(id);
    return fetch_integer(*session, exists) > 0;
}

bool SqlProductRepository::soft_delete(std::int64_t id, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("UPDATE products SET deleted = 1, updated_at = ");
    q.param(to_db_time(now)).sql(" WHERE deleted = 0 AND id = ").param(id);
    return execute_counting(*session, q) > 0;
}

std::vector<domain::Category> SqlProductRepository::categories() {
    SessionLease session = db_.lease();
    Query q("SELECT id, name FROM categories ORDER BY id");
    std::vector<domain::Category> out;
    for (const CategoryRow& row : fetch_rows<CategoryRow>(*session, q)) {
        out.push_back({row.id, row.name});
    }
    return out;
}

std::optional<domain::Category> SqlProductRepository::find_category(std::int64_t id) {
    SessionLease session = db_.lease();
    Query q("SELECT id, name FROM categories WHERE id = ");
    q.param(id);
    return first_category(*session, q);
}

std::optional<domain::Category> SqlProductRepository::find_category_by_name(std::string_view name) {
    SessionLease session = db_.lease();
    Query q("SELECT id, name FROM categories WHERE name = ");
    q.param(std::string(name));
    return first_category(*session, q);
}

std::int64_t SqlProductRepository::create_category(std::string_view name) {
    SessionLease session = db_.lease();
    Query insert("INSERT INTO categories (name) VALUES (");
    insert.param(std::string(name)).sql(")");
    try {
        execute_counting(*session, insert);
        long long id = 0;
        session->get_last_insert_id("categories", id);
        return id;
    } catch (const soci::soci_error&) {
        // The unique index said the name exists (possibly created concurrently): hand back that one.
        Query find("SELECT id, name FROM categories WHERE name = ");
        find.param(std::string(name));
        if (auto existing = first_category(*session, find)) {
            return existing->id;
        }
        throw;
    }
}

std::int64_t SqlProductRepository::count_products() {
    SessionLease session = db_.lease();
    Query q("SELECT COUNT(*) FROM products WHERE deleted = 0");
    return fetch_integer(*session, q);
}

}  // namespace gomall::adapters::sql
