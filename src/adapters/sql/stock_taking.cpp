// The guarded stock decrement shared by order placement and stock reservations.
#include "adapters/sql/stock_taking.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

struct ProductSnapshot {
    std::string name, image_url;
    long long price = 0;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(name));
        st.exchange(soci::into(image_url));
        st.exchange(soci::into(price));
    }
};

struct ProductState {
    int status = 0;
    int deleted = 0;
    long long stock = 0;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(status));
        st.exchange(soci::into(deleted));
        st.exchange(soci::into(stock));
    }
};

// Explains why the guarded decrement touched no row. On MySQL the read must lock (and so see
// the latest committed row), not read this transaction's older snapshot.
Error explain_refusal(soci::session& session, Dialect dialect, std::int64_t product_id, int quantity) {
    Query q("SELECT status, deleted, stock FROM products WHERE id = ");
    q.param(product_id);
    if (dialect == Dialect::kMysql) {
        q.sql(" FOR UPDATE");
    }
    const auto rows = fetch_rows<ProductState>(session, q);
    const std::string field = std::to_string(product_id);
    // A deleted product is gone for shoppers, as GET /api/product/:id says; one taken off the shelf
    // still exists but is not on sale.
    if (rows.empty() || rows.front().deleted != 0) {
        return make_error(ErrorCode::kProductNotFound, "product " + field + " does not exist", field);
    }
    const ProductState& state = rows.front();
    if (state.status == 0) {
        return make_error(ErrorCode::kProductUnavailable, "product " + field + " is not on sale", field);
    }
    return make_error(
        ErrorCode::kInsufficientStock,
        "product " + field + " has " + std::to_string(state.stock) + " left, " + std::to_string(quantity) +
            " requested",
        field
    );
}

}  // namespace

Result<std::vector<domain::OrderItem>> take_stock(
    soci::session& session,
    Dialect dialect,
    std::int64_t user_id,
    const std::vector<domain::OrderLineRequest>& lines,
    bool from_cart
) {
    if (lines.empty()) {
        return make_error(ErrorCode::kBadRequest, "an order needs at least one line");
    }
    for (const auto& line : lines) {
        if (line.quantity <= 0) {
            return make_error(ErrorCode::kBadRequest, "quantity must be positive", "quantity");
        }
    }
    std::vector<std::size_t> lock_order(lines.size());
    std::iota(lock_order.begin(), lock_order.end(), std::size_t{0});
    std::stable_sort(lock_order.begin(), lock_order.end(), [&](std::size_t a, std::size_t b) {
        return lines[a].product_id < lines[b].product_id;
    });

    if (from_cart) {
        // Claim the cart lines first: a concurrent checkout of the same cart blocks here and then
        // finds them gone, so one cart can never be bought twice.
        for (std::size_t index : lock_order) {
            const auto& line = lines[index];
            Query remove("DELETE FROM cart_items WHERE user_id = ");
            remove.param(user_id).sql(" AND product_id = ").param(line.product_id);
            remove.sql(" AND quantity = ").param(line.quantity);
            if (execute_counting(session, remove) != 1) {
                return make_error(
                    ErrorCode::kNothingToCheckout, "your cart changed during checkout; review it and try again"
                );
            }
        }
    }

    std::map<std::int64_t, ProductSnapshot> snapshots;
    for (std::size_t index : lock_order) {
        const auto& line = lines[index];
        Query take("UPDATE products SET stock = stock - ");
        take.param(line.quantity).sql(", sales = sales + ").param(line.quantity);
        take.sql(" WHERE id = ").param(line.product_id).sql(" AND stock >= ").param(line.quantity);
        take.sql(" AND status = 1 AND deleted = 0");
        if (execute_counting(session, take) != 1) {
            return explain_refusal(session, dialect, line.product_id, line.quantity);
        }
        if (!snapshots.contains(line.product_id)) {
            Query read("SELECT name, image_url, price_cents FROM products WHERE id = ");
            read.param(line.product_id);
            snapshots[line.product_id] = fetch_rows<ProductSnapshot>(session, read).front();
        }
    }

    std::vector<domain::OrderItem> taken;
    taken.reserve(lines.size());
    for (const auto& line : lines) {
        const ProductSnapshot& snap = snapshots.at(line.product_id);
        taken.push_back({line.product_id, snap.name, snap.image_url, line.quantity, snap.price});
    }
    return taken;
}

void restock(soci::session& session, std::int64_t product_id, int quantity) {
    Query q("UPDATE products SET stock = stock + ");
    q.param(quantity).sql(", sales = CASE WHEN sales >= ").param(quantity);
    q.sql(" THEN sales - ").param(quantity).sql(" ELSE 0 END WHERE id = ").param(product_id);
    execute_counting(session, q);
}

}  // namespace gomall::adapters::sql
