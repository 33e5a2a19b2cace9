// Flash-sale order rows. SQLite runs in process: one statement prepared once and executed per row
// is fastest there (SQLite resolves named parameters by linear search, so huge multi-row statements
// cost more than they save). MySQL pays a round trip per statement, so it gets multi-row INSERTs.
#include "adapters/sql/flash_sale_orders.hpp"

#include <algorithm>
#include <stdexcept>

#include "adapters/sql/order_rows.hpp"
#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

// Rows per multi-row INSERT or IN list: a 500-order batch needs only a few statements, and each
// stays far below the bound-parameter limits (SQLite 32766, MySQL 65535).
constexpr std::size_t kRowsPerStatement = 100;

struct ReleasedRow {
    long long activity_id = 0;
    long long user_id = 0;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(activity_id));
        st.exchange(soci::into(user_id));
    }
};

void check_lines_written(long long written, std::size_t expected) {
    if (written != static_cast<long long>(expected)) {
        throw std::runtime_error(
            "flash-sale order lines: wrote " + std::to_string(written) + " of " + std::to_string(expected)
        );
    }
}

void insert_prepared(soci::session& session, const std::vector<domain::Order>& orders) {
    std::string order_no, name, image, expires, stamp;
    long long user_id = 0;
    long long product_id = 0;
    long long total = 0;
    long long activity_id = 0;
    long long status = 0;
    long long pay_type = 0;
    // The same columns SqlOrderRepository::place writes, plus the activity.
    soci::statement insert =
        (session.prepare << "INSERT INTO orders (order_no, user_id, product_id, product_name, product_image, "
                            "quantity, total_cents, status, pay_type, expires_at, paid_at, created_at, updated_at, "
                            "seckill_activity_id) VALUES (:order_no, :user_id, :product_id, :name, :image, 1, :total, "
                            ":status, :pay_type, :expires_at, NULL, :created_at, :updated_at, :activity_id)",
         soci::use(order_no),
         soci::use(user_id),
         soci::use(product_id),
         soci::use(name),
         soci::use(image),
         soci::use(total),
         soci::use(status),
         soci::use(pay_type),
         soci::use(expires),
         soci::use(stamp),
         soci::use(stamp),
         soci::use(activity_id));
    // SQLite's write lock (BEGIN IMMEDIATE) keeps every other writer out, so the orders written
    // here are exactly those above the current highest id: their lines are copied in one statement.
    Query highest("SELECT COALESCE(MAX(id), 0) FROM orders");
    const long long before = fetch_integer(session, highest);
    // The variables are bound to the statement by reference: each execute reads what was stored.
    // NOLINTBEGIN(clang-analyzer-deadcode.DeadStores)
    for (const domain::Order& order : orders) {
        order_no = order.order_no;
        user_id = order.user_id;
        product_id = order.product_id;
        name = order.product_name;
        image = order.product_image;
        total = order.total_price;
        status = static_cast<long long>(order.status);
        pay_type = static_cast<long long>(order.pay_type);
        expires = to_db_time(order.expires_at);
        stamp = to_db_time(order.created_at);
        activity_id = order.seckill_activity_id;
        insert.execute(true);
    }
    // NOLINTEND(clang-analyzer-deadcode.DeadStores)
    Query lines(
        "INSERT INTO order_items (order_id, product_id, product_name, product_image, quantity, unit_price_cents) "
        "SELECT id, product_id, product_name, product_image, quantity, total_cents FROM orders WHERE id > "
    );
    lines.param(before);
    check_lines_written(execute_counting(session, lines), orders.size());
}

void insert_multirow(soci::session& session, const std::vector<domain::Order>& orders) {
    for (std::size_t first = 0; first < orders.size(); first += kRowsPerStatement) {
        const std::size_t last = std::min(orders.size(), first + kRowsPerStatement);
        Query insert(
            "INSERT INTO orders (order_no, user_id, product_id, product_name, product_image, quantity, "
            "total_cents, status, pay_type, expires_at, paid_at, created_at, updated_at, seckill_activity_id) VALUES "
        );
        for (std::size_t k = first; k < last; ++k) {
            const domain::Order& o = orders[k];
            const std::string stamp = to_db_time(o.created_at);
            insert.sql(k == first ? "(" : ", (").param(o.order_no).sql(", ").param(o.user_id).sql(", ");
            insert.param(o.product_id).sql(", ").param(o.product_name).sql(", ");
            insert.param(o.product_image).sql(", 1, ").param(o.total_price).sql(", ");
            insert.param(static_cast<long long>(o.status)).sql(", ");
            insert.param(static_cast<long long>(o.pay_type)).sql(", ").param(to_db_time(o.expires_at));
            insert.sql(", NULL, ").param(stamp).sql(", ").param(stamp).sql(", ").param(o.seckill_activity_id);
            insert.sql(")");
        }
        execute_counting(session, insert);

        Query items(
            "INSERT INTO order_items (order_id, product_id, product_name, product_image, quantity, "
            "unit_price_cents) SELECT id, product_id, product_name, product_image, quantity, total_cents "
            "FROM orders WHERE order_no IN ("
        );
        for (std::size_t k = first; k < last; ++k) {
            items.sql(k == first ? "" : ", ").param(orders[k].order_no);
        }
        items.sql(")");
        check_lines_written(execute_counting(session, items), last - first);
    }
}

}  // namespace

void insert_flash_sale_orders(soci::session& session, Dialect dialect, const std::vector<domain::Order>& orders) {
    if (orders.empty()) {
        return;
    }
    if (dialect == Dialect::kSqlite) {
        insert_prepared(session, orders);
    } else {
        insert_multirow(session, orders);
    }
}

void insert_outbox_rows(soci::session& session, const std::vector<domain::Order>& orders) {
    for (std::size_t first = 0; first < orders.size(); first += kRowsPerStatement) {
        const std::size_t last = std::min(orders.size(), first + kRowsPerStatement);
        Query insert(
            "INSERT INTO flash_sale_order_outbox (order_no, activity_id, user_id, product_id, product_name, "
            "product_image, price_cents, expires_at, created_at) VALUES "
        );
        for (std::size_t k = first; k < last; ++k) {
            const domain::Order& o = orders[k];
            insert.sql(k == first ? "(" : ", (").param(o.order_no).sql(", ").param(o.seckill_activity_id).sql(", ");
            insert.param(o.user_id).sql(", ").param(o.product_id).sql(", ").param(o.product_name).sql(", ");
            insert.param(o.product_image).sql(", ").param(o.total_price).sql(", ").param(to_db_time(o.expires_at));
            insert.sql(", ").param(to_db_time(o.created_at)).sql(")");
        }
        execute_counting(session, insert);
    }
}

std::vector<std::string> order_numbers_in(
    soci::session& session, OrderNumbersOf where, const std::vector<std::string>& order_nos
) {
    const char* select = where == OrderNumbersOf::kOrders
                             ? "SELECT order_no FROM orders WHERE order_no IN ("
                             : "SELECT order_no FROM flash_sale_order_outbox WHERE order_no IN (";
    std::vector<std::string> out;
    for (std::size_t first = 0; first < order_nos.size(); first += kRowsPerStatement) {
        const std::size_t last = std::min(order_nos.size(), first + kRowsPerStatement);
        Query q(select);
        for (std::size_t k = first; k < last; ++k) {
            q.sql(k == first ? "" : ", ").param(order_nos[k]);
        }
        q.sql(")");
        for (const OrderNumberRow& row : fetch_rows<OrderNumberRow>(session, q)) {
            out.push_back(row.order_no);
        }
    }
    return out;
}

std::optional<domain::Reservation> release_flash_sale_unit(
    soci::session& session, const std::string& order_no, TimePoint now
) {
    Query claim("UPDATE seckill_reservations SET status = ");
    claim.param(static_cast<long long>(domain::ReservationStatus::kReleased)).sql(", updated_at = ");
    claim.param(to_db_time(now)).sql(" WHERE order_no = ").param(order_no).sql(" AND status = ");
    claim.param(static_cast<long long>(domain::ReservationStatus::kSucceeded));
    if (execute_counting(session, claim) != 1) {
        return std::nullopt;
    }
    Query read("SELECT activity_id, user_id FROM seckill_reservations WHERE order_no = ");
    read.param(order_no);
    const auto rows = fetch_rows<ReleasedRow>(session, read);
    if (rows.empty()) {
        return std::nullopt;  // cannot happen inside the transaction that just changed it
    }
    Query unsell("UPDATE seckill_activities SET sold = sold - 1 WHERE id = ");
    unsell.param(rows.front().activity_id).sql(" AND sold > 0");
    execute_counting(session, unsell);
    domain::Reservation released;
    released.activity_id = rows.front().activity_id;
    released.user_id = rows.front().user_id;
    released.order_no = order_no;
    released.status = domain::ReservationStatus::kReleased;
    return released;
}

}  // namespace gomall::adapters::sql
