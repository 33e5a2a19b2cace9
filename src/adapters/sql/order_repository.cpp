// Orders in SQL. The database is the last guard against overselling: every stock decrement is
// a conditional UPDATE (stock >= quantity) whose affected-row count decides, inside the same
// transaction that writes the order.
#include "adapters/sql/order_repository.hpp"

#include <algorithm>
#include <map>
#include <numeric>

#include "adapters/sql/sql_util.hpp"
#include "domain/seckill.hpp"

namespace gomall::adapters::sql {
namespace {

constexpr const char* kOrderSelect =
    "SELECT id, order_no, user_id, product_id, product_name, product_image, quantity, total_cents, status, "
    "pay_type, expires_at, paid_at, created_at, updated_at, seckill_activity_id FROM orders ";

struct OrderRow {
    long long id = 0;
    std::string order_no;
    long long user_id = 0;
    long long product_id = 0;
    std::string product_name, product_image;
    int quantity = 0;
    long long total = 0;
    int status = 0;
    int pay_type = 0;
    std::string expires_at, paid_at;
    soci::indicator paid_ind = soci::i_null;
    std::string created_at, updated_at;
    long long seckill_activity_id = 0;
    soci::indicator seckill_ind = soci::i_null;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(order_no));
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(product_name));
        st.exchange(soci::into(product_image));
        st.exchange(soci::into(quantity));
        st.exchange(soci::into(total));
        st.exchange(soci::into(status));
        st.exchange(soci::into(pay_type));
        st.exchange(soci::into(expires_at));
        st.exchange(soci::into(paid_at, paid_ind));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
        st.exchange(soci::into(seckill_activity_id, seckill_ind));
    }

    domain::Order to_domain() const {
        domain::Order o;
        o.id = id;
        o.order_no = order_no;
        o.user_id = user_id;
        o.product_id = product_id;
        o.product_name = product_name;
        o.product_image = product_image;
        o.quantity = quantity;
        o.total_price = total;
        o.status = static_cast<domain::OrderStatus>(status);
        o.pay_type = static_cast<domain::PayType>(pay_type);
        o.expires_at = from_db_time(expires_at);
        if (paid_ind == soci::i_ok && !paid_at.empty()) {
            o.paid_at = from_db_time(paid_at);
        }
        o.created_at = from_db_time(created_at);
        o.updated_at = from_db_time(updated_at);
        o.seckill_activity_id = seckill_ind == soci::i_ok ? seckill_activity_id : 0;
        return o;
    }
};

struct ItemRow {
    long long product_id = 0;
    std::string product_name, product_image;
    int quantity = 0;
    long long unit_price = 0;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(product_name));
        st.exchange(soci::into(product_image));
        st.exchange(soci::into(quantity));
        st.exchange(soci::into(unit_price));
    }
};

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

void load_items(soci::session& session, domain::Order& order) {
    Query q(
        "SELECT product_id, product_name, product_image, quantity, unit_price_cents FROM order_items "
        "WHERE order_id = "
    );
    q.param(order.id).sql(" ORDER BY id");
    for (const ItemRow& row : fetch_rows<ItemRow>(session, q)) {
        order.items.push_back({row.product_id, row.product_name, row.product_image, row.quantity, row.unit_price});
    }
}

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

Result<domain::Order> SqlOrderRepository::place(const domain::OrderDraft& draft) {
    if (draft.lines.empty()) {
        return make_error(ErrorCode::kBadRequest, "an order needs at least one line");
    }
    for (const auto& line : draft.lines) {
        if (line.quantity <= 0) {
            return make_error(ErrorCode::kBadRequest, "quantity must be positive", "quantity");
        }
    }
    // Decrement in product-id order so two multi-line orders lock rows in the same order (no deadlock).
    std::vector<std::size_t> lock_order(draft.lines.size());
    std::iota(lock_order.begin(), lock_order.end(), std::size_t{0});
    std::stable_sort(lock_order.begin(), lock_order.end(), [&](std::size_t a, std::size_t b) {
        return draft.lines[a].product_id < draft.lines[b].product_id;
    });

    return with_retry([&]() -> Result<domain::Order> {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());

        if (draft.remove_from_cart) {
            // Claim the cart lines first: a concurrent checkout of the same cart blocks here and then
            // finds them gone, so one cart can never be bought twice.
            for (std::size_t index : lock_order) {
                const auto& line = draft.lines[index];
                Query remove("DELETE FROM cart_items WHERE user_id = ");
                remove.param(draft.user_id).sql(" AND product_id = ").param(line.product_id);
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
            const auto& line = draft.lines[index];
            Query take("UPDATE products SET stock = stock - ");
            take.param(line.quantity).sql(", sales = sales + ").param(line.quantity);
            take.sql(" WHERE id = ").param(line.product_id).sql(" AND stock >= ").param(line.quantity);
            take.sql(" AND status = 1 AND deleted = 0");
            if (execute_counting(session, take) != 1) {
                return explain_refusal(session, db_.dialect(), line.product_id, line.quantity);
            }
            if (!snapshots.contains(line.product_id)) {
                Query read("SELECT name, image_url, price_cents FROM products WHERE id = ");
                read.param(line.product_id);
                snapshots[line.product_id] = fetch_rows<ProductSnapshot>(session, read).front();
            }
        }

        domain::Order order;
        order.order_no = draft.order_no;
        order.user_id = draft.user_id;
        order.status = domain::OrderStatus::kAwaitingPayment;
        order.pay_type = domain::PayType::kNone;
        order.expires_at = draft.expires_at;
        order.created_at = draft.now;
        order.updated_at = draft.now;
        for (const auto& line : draft.lines) {
            const ProductSnapshot& snap = snapshots.at(line.product_id);
            order.items.push_back({line.product_id, snap.name, snap.image_url, line.quantity, snap.price});
            order.quantity += line.quantity;
            order.total_price += snap.price * line.quantity;
        }
        order.product_id = order.items.front().product_id;
        order.product_name = order.items.front().product_name;
        order.product_image = order.items.front().product_image;

        const std::string stamp = to_db_time(draft.now);
        Query insert(
            "INSERT INTO orders (order_no, user_id, product_id, product_name, product_image, quantity, "
            "total_cents, status, pay_type, expires_at, paid_at, created_at, updated_at) VALUES ("
        );
        insert.param(order.order_no).sql(", ").param(order.user_id).sql(", ").param(order.product_id).sql(", ");
        insert.param(order.product_name).sql(", ").param(order.product_image).sql(", ").param(order.quantity);
        insert.sql(", ").param(order.total_price).sql(", ").param(static_cast<long long>(order.status)).sql(", ");
        insert.param(static_cast<long long>(order.pay_type)).sql(", ").param(to_db_time(order.expires_at));
        insert.sql(", NULL, ").param(stamp).sql(", ").param(stamp).sql(")");
        execute_counting(session, insert);
        long long order_id = 0;
        session.get_last_insert_id("orders", order_id);
        order.id = order_id;

        for (const auto& item : order.items) {
            Query line(
                "INSERT INTO order_items (order_id, product_id, product_name, product_image, quantity, "
                "unit_price_cents) VALUES ("
            );
            line.param(order.id).sql(", ").param(item.product_id).sql(", ").param(item.product_name).sql(", ");
            line.param(item.product_image).sql(", ").param(item.quantity).sql(", ").param(item.unit_price).sql(")");
            execute_counting(session, line);
        }

        tx.commit();
        return order;
    });
}

std::optional<domain::Order> SqlOrderRepository::find(const std::string& order_no, std::int64_t user_id) {
    SessionLease session = db_.lease();
    Query q(kOrderSelect);
    q.sql("WHERE order_no = ").param(order_no);
    if (user_id != 0) {
        q.sql(" AND user_id = ").param(user_id);
    }
    auto rows = fetch_rows<OrderRow>(*session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    domain::Order order = rows.front().to_domain();
    load_items(*session, order);
    return order;
}

domain::Page<domain::Order> SqlOrderRepository::list(const domain::OrderQuery& query) {
    domain::Page<domain::Order> page;
    page.page = std::max(1, query.page);
    page.page_size = std::max(1, query.page_size);

    auto add_filters = [&query](Query& q) {
        q.sql("WHERE 1 = 1");
        if (query.user_id != 0) {
            q.sql(" AND user_id = ").param(query.user_id);
        }
        if (query.status) {
            q.sql(" AND status = ").param(static_cast<long long>(*query.status));
        }
    };

    SessionLease session = db_.lease();
    Query count("SELECT COUNT(*) FROM orders ");
    add_filters(count);
    page.total = fetch_integer(*session, count);
    if (page.total == 0) {
        return page;
    }
    Query rows(kOrderSelect);
    add_filters(rows);
    rows.sql(" ORDER BY created_at DESC, id DESC LIMIT ").param(page.page_size);
    rows.sql(" OFFSET ").param(static_cast<long long>(page.page - 1) * page.page_size);
    for (const OrderRow& row : fetch_rows<OrderRow>(*session, rows)) {
        domain::Order order = row.to_domain();
        load_items(*session, order);
        page.items.push_back(std::move(order));
    }
    return page;
}

bool SqlOrderRepository::mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) {
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(now);
    Query q("UPDATE orders SET status = ");
    q.param(static_cast<long long>(domain::OrderStatus::kPaid))
        .sql(", pay_type = ")
        .param(static_cast<long long>(pay_type));
    q.sql(", paid_at = ").param(stamp).sql(", updated_at = ").param(stamp);
    q.sql(" WHERE order_no = ").param(order_no).sql(" AND status = ");
    q.param(static_cast<long long>(domain::OrderStatus::kAwaitingPayment));
    return execute_counting(*session, q) == 1;
}

bool SqlOrderRepository::cancel(const std::string& order_no, TimePoint now) {
    return with_retry([&] {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());

        // The status change is the claim: only one of several concurrent cancels (user, sweeper)
        // gets a row back, so stock is returned exactly once.
        Query claim("UPDATE orders SET status = ");
        claim.param(static_cast<long long>(domain::OrderStatus::kCancelled)).sql(", updated_at = ");
        claim.param(to_db_time(now)).sql(" WHERE order_no = ").param(order_no).sql(" AND status IN (");
        claim.param(static_cast<long long>(domain::OrderStatus::kProcessing)).sql(", ");
        claim.param(static_cast<long long>(domain::OrderStatus::kAwaitingPayment)).sql(")");
        if (execute_counting(session, claim) != 1) {
            return false;
        }

        // A flash-sale order's unit belongs to its activity, not to the product's ordinary stock:
        // it goes back to the sale (sold - 1) and its reservation is marked released.
        Query flash("SELECT seckill_activity_id FROM orders WHERE order_no = ");
        flash.param(order_no);
        if (const long long activity_id = fetch_integer(session, flash); activity_id != 0) {
            Query unsell("UPDATE seckill_activities SET sold = sold - 1 WHERE id = ");
            unsell.param(activity_id).sql(" AND sold > 0");
            execute_counting(session, unsell);
            Query release("UPDATE seckill_reservations SET status = ");
            release.param(static_cast<long long>(domain::ReservationStatus::kReleased)).sql(", updated_at = ");
            release.param(to_db_time(now)).sql(" WHERE order_no = ").param(order_no);
            execute_counting(session, release);
            tx.commit();
            return true;
        }

        Query items(
            "SELECT oi.product_id, oi.product_name, oi.product_image, oi.quantity, oi.unit_price_cents "
            "FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.order_no = "
        );
        items.param(order_no).sql(" ORDER BY oi.product_id");
        for (const ItemRow& item : fetch_rows<ItemRow>(session, items)) {
            Query restock("UPDATE products SET stock = stock + ");
            restock.param(item.quantity).sql(", sales = CASE WHEN sales >= ").param(item.quantity);
            restock.sql(" THEN sales - ").param(item.quantity).sql(" ELSE 0 END WHERE id = ").param(item.product_id);
            execute_counting(session, restock);
        }
        tx.commit();
        return true;
    });
}

std::vector<std::string> SqlOrderRepository::expired_unpaid(TimePoint now, int limit) {
    struct NoRow {
        std::string order_no;
        void exchange(soci::statement& st) { st.exchange(soci::into(order_no)); }
    };
    SessionLease session = db_.lease();
    Query q("SELECT order_no FROM orders WHERE status = ");
    q.param(static_cast<long long>(domain::OrderStatus::kAwaitingPayment)).sql(" AND expires_at < ");
    q.param(to_db_time(now)).sql(" ORDER BY expires_at ASC, id ASC LIMIT ").param(std::max(1, limit));
    std::vector<std::string> out;
    for (const NoRow& row : fetch_rows<NoRow>(*session, q)) {
        out.push_back(row.order_no);
    }
    return out;
}

}  // namespace gomall::adapters::sql
