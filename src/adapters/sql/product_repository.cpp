// Catalogue queries in SQL (listing statements in product_listing_sql.hpp). Name and description edits keep the keyword
// search index (search_index.hpp) in step, in the same transaction.
#include "adapters/sql/product_repository.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "adapters/sql/product_listing_sql.hpp"
#include "adapters/sql/product_row.hpp"
#include "adapters/sql/search_grams.hpp"
#include "adapters/sql/search_index.hpp"
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

struct IdRow {
    long long id = 0;
    void exchange(soci::statement& st) { st.exchange(soci::into(id)); }
};

struct ProductText {
    std::string name, description;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(name));
        st.exchange(soci::into(description));
    }
};

/// The indexed name and description of a live product, locked until the transaction ends (MySQL;
/// SQLite's write transaction already excludes other writers), or nullopt when there is none.
std::optional<ProductText> lock_text(soci::session& session, Dialect dialect, std::int64_t id) {
    Query q("SELECT name, description FROM products WHERE deleted = 0 AND id = ");
    q.param(id).sql(dialect == Dialect::kMysql ? " FOR UPDATE" : "");
    auto rows = fetch_rows<ProductText>(session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return std::move(rows.front());
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
    if (!query.keyword.empty()) {
        // A keyword the index cannot narrow (not well-formed UTF-8, or starting with NUL) is left
        // to the LIKE scan, and so is one whose rarest gram is in a large share of the catalogue (a
        // third by default): a few lookups per candidate then cost more than reading every product.
        if (const auto needed = keyword_grams(query.keyword)) {
            const GramLookup lookup = lookup_grams(*session, *needed);
            if (lookup.grams.empty()) {
                return page;  // some gram of the keyword is in no product
            }
            Query highest("SELECT MAX(id) FROM products");  // ids are never reused: bounds the catalogue
            if (static_cast<double>(lookup.candidates) <
                index_share_ * static_cast<double>(fetch_integer(*session, highest))) {
                list_through_index(*session, query, lookup.grams, page);
                return page;
            }
        }
    }
    Query count;
    build_count_query(count, query, db_.dialect());
    page.total = fetch_integer(*session, count);
    if (page.total == 0) {
        return page;
    }
    Query rows;
    build_page_query(rows, query, db_.dialect(), page.page, page.page_size);
    for (const ProductRow& row : fetch_rows<ProductRow>(*session, rows)) {
        page.items.push_back(row.to_domain());
    }
    return page;
}

void SqlProductRepository::list_through_index(
    soci::session& session,
    const domain::ProductQuery& query,
    const std::vector<std::string>& grams,
    domain::Page<domain::Product>& page
) {
    // One pass over the candidates gives every match's id in order: the count is their number and
    // the page a slice, so the candidates are not read twice (once to count, once for the page).
    Query matches;
    build_match_ids_query(matches, query, db_.dialect(), grams);
    std::vector<long long> ids;
    for (const IdRow& row : fetch_rows<IdRow>(session, matches)) {
        ids.push_back(row.id);
    }
    page.total = static_cast<std::int64_t>(ids.size());
    const auto first = static_cast<std::size_t>(page.page - 1) * static_cast<std::size_t>(page.page_size);
    if (first >= ids.size()) {
        return;
    }
    const std::vector<long long> wanted(
        ids.begin() + static_cast<std::ptrdiff_t>(first),
        ids.begin() +
            static_cast<std::ptrdiff_t>(std::min(ids.size(), first + static_cast<std::size_t>(page.page_size)))
    );
    Query rows;
    build_rows_by_id_query(rows, wanted);
    std::vector<ProductRow> found = fetch_rows<ProductRow>(session, rows);
    for (long long id : wanted) {  // back into the listing's order
        const auto it = std::find_if(found.begin(), found.end(), [id](const ProductRow& r) { return r.id == id; });
        if (it != found.end()) {
            page.items.push_back(it->to_domain());
        }
    }
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
    return with_retry([&] {
        Transaction tx(*session, db_.dialect());
        const std::int64_t id = insert_product(*session, product, to_db_time(now));
        index_product(*session, db_.dialect(), id, product.name, product.description);
        tx.commit();
        return id;
    });
}

std::vector<std::int64_t> SqlProductRepository::create_many(
    const std::vector<domain::NewProduct>& products, TimePoint now
) {
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(now);
    return with_retry([&] {
        std::vector<std::int64_t> ids;
        ids.reserve(products.size());
        Transaction tx(*session, db_.dialect());
        std::vector<std::pair<std::string, std::int64_t>> rows;
        for (const domain::NewProduct& product : products) {
            ids.push_back(insert_product(*session, product, stamp));
            for (std::string& gram : product_grams(product.name, product.description)) {
                rows.emplace_back(std::move(gram), ids.back());
            }
        }
        // In key order, each index page is visited once per batch instead of once per product.
        std::sort(rows.begin(), rows.end());
        GramRowWriter writer(*session, db_.dialect());
        for (auto& [gram, id] : rows) {
            writer.add(id, std::move(gram));
        }
        writer.flush();
        tx.commit();
        return ids;
    });
}

std::int64_t SqlProductRepository::insert_product(
    soci::session& session, const domain::NewProduct& product, const std::string& stamp
) {
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
    execute_counting(session, q);
    long long id = 0;
    session.get_last_insert_id("products", id);
    return id;
}

bool SqlProductRepository::update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) {
    SessionLease session = db_.lease();
    if (!patch.name && !patch.description) {
        return update_fields(*session, id, patch, now);
    }
    // The text changes: the product's index rows are rewritten in the same transaction, from the
    // text they were made of (locked, so no other edit slips in between) to the new one.
    return with_retry([&] {
        Transaction tx(*session, db_.dialect());
        const auto old_text = lock_text(*session, db_.dialect(), id);
        if (!old_text) {
            return false;
        }
        update_fields(*session, id, patch, now);
        unindex_product(*session, id, old_text->name, old_text->description);
        index_product(
            *session,
            db_.dialect(),
            id,
            patch.name ? *patch.name : old_text->name,
            patch.description ? *patch.description : old_text->description
        );
        tx.commit();
        return true;
    });
}

bool SqlProductRepository::update_fields(
    soci::session& session, std::int64_t id, const domain::ProductPatch& patch, TimePoint now
) {
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
    if (execute_counting(session, q) > 0) {
        return true;
    }
    // MySQL reports 0 affected rows when nothing actually changed; tell that apart from "missing".
    Query exists("SELECT COUNT(*) FROM products WHERE deleted = 0 AND id = ");
    exists.param(id);
    return fetch_integer(session, exists) > 0;
}

bool SqlProductRepository::soft_delete(std::int64_t id, TimePoint now) {
    SessionLease session = db_.lease();
    // A deleted product is never listed again, so its index rows go with it.
    return with_retry([&] {
        Transaction tx(*session, db_.dialect());
        const auto text = lock_text(*session, db_.dialect(), id);
        if (!text) {
            return false;
        }
        Query q("UPDATE products SET deleted = 1, updated_at = ");
        q.param(to_db_time(now)).sql(" WHERE deleted = 0 AND id = ").param(id);
        const bool deleted = execute_counting(*session, q) > 0;
        unindex_product(*session, id, text->name, text->description);
        tx.commit();
        return deleted;
    });
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
