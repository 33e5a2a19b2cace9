// Carts in SQL. add() merges quantities atomically inside one write transaction, so two
// concurrent adds can never push a line past the limit.
#include "adapters/sql/cart_repository.hpp"

#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

struct CartRow {
    long long id = 0;
    long long user_id = 0;
    long long product_id = 0;
    int quantity = 0;
    std::string created_at, updated_at;
    std::string name;
    long long price = 0;
    std::string image_url;
    long long stock = 0;
    int status = 0;
    int deleted = 0;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(quantity));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
        st.exchange(soci::into(name));
        st.exchange(soci::into(price));
        st.exchange(soci::into(image_url));
        st.exchange(soci::into(stock));
        st.exchange(soci::into(status));
        st.exchange(soci::into(deleted));
    }
};

}  // namespace

std::optional<int> SqlCartRepository::add(
    std::int64_t user_id, std::int64_t product_id, int quantity, int max_quantity, TimePoint now
) {
    if (quantity > max_quantity) {
        return std::nullopt;  // would exceed the limit even on an empty line
    }
    auto attempt = [&]() -> std::optional<int> {
        SessionLease session = db_.lease();
        Transaction tx(*session, db_.dialect());
        const std::string stamp = to_db_time(now);

        // SQLite's BEGIN IMMEDIATE already excludes other writers; on MySQL the row (or the gap
        // where it would go) is locked until commit.
        Query read("SELECT quantity FROM cart_items WHERE user_id = ");
        read.param(user_id).sql(" AND product_id = ").param(product_id);
        if (db_.dialect() == Dialect::kMysql) {
            read.sql(" FOR UPDATE");
        }
        const long long existing = fetch_integer(*session, read, -1);
        if (existing < 0) {
            Query insert("INSERT INTO cart_items (user_id, product_id, quantity, created_at, updated_at) VALUES (");
            insert.param(user_id).sql(", ").param(product_id).sql(", ").param(quantity).sql(", ").param(stamp);
            insert.sql(", ").param(stamp).sql(")");
            execute_counting(*session, insert);
            tx.commit();
            return quantity;
        }
        if (existing + quantity > max_quantity) {
            return std::nullopt;  // rolls back; nothing changed
        }
        Query merge("UPDATE cart_items SET quantity = quantity + ");
        merge.param(quantity).sql(", updated_at = ").param(stamp);
        merge.sql(" WHERE user_id = ").param(user_id).sql(" AND product_id = ").param(product_id);
        execute_counting(*session, merge);
        tx.commit();
        return static_cast<int>(existing + quantity);
    };
    try {
        return with_retry(attempt);
    } catch (const soci::soci_error&) {
        // Two first adds of the same product can race to insert on MySQL; the loser hits the
        // unique index, and a second attempt then finds the line and merges into it.
        return with_retry(attempt);
    }
}

bool SqlCartRepository::set_quantity(std::int64_t user_id, std::int64_t product_id, int quantity, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("UPDATE cart_items SET quantity = ");
    q.param(quantity).sql(", updated_at = ").param(to_db_time(now));
    q.sql(" WHERE user_id = ").param(user_id).sql(" AND product_id = ").param(product_id);
    if (execute_counting(*session, q) > 0) {
        return true;
    }
    // MySQL counts only changed rows, so an identical update looks like a miss.
    Query exists("SELECT COUNT(*) FROM cart_items WHERE user_id = ");
    exists.param(user_id).sql(" AND product_id = ").param(product_id);
    return fetch_integer(*session, exists) > 0;
}

bool SqlCartRepository::remove(std::int64_t user_id, std::int64_t product_id) {
    SessionLease session = db_.lease();
    Query q("DELETE FROM cart_items WHERE user_id = ");
    q.param(user_id).sql(" AND product_id = ").param(product_id);
    return execute_counting(*session, q) > 0;
}

std::int64_t SqlCartRepository::clear(std::int64_t user_id) {
    SessionLease session = db_.lease();
    Query q("DELETE FROM cart_items WHERE user_id = ");
    q.param(user_id);
    return execute_counting(*session, q);
}

std::vector<domain::CartItem> SqlCartRepository::list(std::int64_t user_id) {
    SessionLease session = db_.lease();
    Query q(
        "SELECT ci.id, ci.user_id, ci.product_id, ci.quantity, ci.created_at, ci.updated_at, p.name, "
        "p.price_cents, p.image_url, p.stock, p.status, p.deleted "
        "FROM cart_items ci JOIN products p ON p.id = ci.product_id WHERE ci.user_id = "
    );
    q.param(user_id).sql(" ORDER BY ci.created_at DESC, ci.id DESC");
    std::vector<domain::CartItem> out;
    for (const CartRow& row : fetch_rows<CartRow>(*session, q)) {
        domain::CartItem item;
        item.id = row.id;
        item.user_id = row.user_id;
        item.product_id = row.product_id;
        item.quantity = row.quantity;
        item.name = row.name;
        item.price = row.price;
        item.image_url = row.image_url;
        item.stock = row.stock;
        item.status = row.status == 0 ? domain::ProductStatus::kOffShelf : domain::ProductStatus::kOnSale;
        item.product_deleted = row.deleted != 0;
        item.created_at = from_db_time(row.created_at);
        item.updated_at = from_db_time(row.updated_at);
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace gomall::adapters::sql
