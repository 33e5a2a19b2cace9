// Reservations of stock by order number. Each runs in one transaction that first claims the order
// number's row (INSERT IGNORE: a locking read of a missing key would take a gap lock on MySQL, and
// concurrent reservations would deadlock on them); when the row was there already, a locking read
// of it decides between "answer what was taken" and "refuse, released first", so a retry never
// takes or returns stock twice.
#include "adapters/sql/stock_reservations.hpp"

#include <algorithm>
#include <optional>

#include "adapters/sql/order_rows.hpp"
#include "adapters/sql/sql_util.hpp"
#include "adapters/sql/stock_taking.hpp"

namespace gomall::adapters::sql {
namespace {

constexpr long long kReserved = 1;
constexpr long long kReleased = 2;

struct ReservationRow {
    long long user_id = 0;
    long long status = 0;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(status));
    }
};

std::optional<ReservationRow> locked_reservation(soci::session& session, Dialect dialect, const std::string& order_no) {
    Query q("SELECT user_id, status FROM stock_reservations WHERE order_no = ");
    q.param(order_no);
    if (dialect == Dialect::kMysql) {
        q.sql(" FOR UPDATE");
    }
    auto rows = fetch_rows<ReservationRow>(session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front();
}

std::vector<domain::OrderItem> reserved_lines(soci::session& session, const std::string& order_no) {
    Query q(
        "SELECT product_id, product_name, product_image, quantity, unit_price_cents FROM stock_reservation_lines "
        "WHERE order_no = "
    );
    q.param(order_no).sql(" ORDER BY line_no");
    return fetch_order_items(session, q);
}

/// Claims the order number with a row of `status`; false when a row was there already.
bool claim_reservation(
    soci::session& session,
    Dialect dialect,
    const std::string& order_no,
    std::int64_t user_id,
    long long status,
    TimePoint now
) {
    const std::string stamp = to_db_time(now);
    Query q(insert_ignore_into(dialect));
    q.sql("stock_reservations (order_no, user_id, status, created_at, updated_at) VALUES (");
    q.param(order_no).sql(", ").param(user_id).sql(", ").param(status).sql(", ").param(stamp).sql(", ");
    q.param(stamp).sql(")");
    return execute_counting(session, q) == 1;
}

}  // namespace

Result<std::vector<domain::OrderItem>> SqlStockReservations::reserve(const ports::StockRequest& request) {
    if (request.order_no.empty()) {
        return make_error(ErrorCode::kBadRequest, "a reservation needs an order number", "order_no");
    }
    return with_retry([&]() -> Result<std::vector<domain::OrderItem>> {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        if (!claim_reservation(session, db_.dialect(), request.order_no, request.user_id, kReserved, clock_.now())) {
            const auto existing = locked_reservation(session, db_.dialect(), request.order_no);
            if (!existing || existing->status == kReleased || existing->user_id != request.user_id) {
                return make_error(
                    ErrorCode::kOrderStatusConflict,
                    "order " + request.order_no + " was released or belongs to someone else; place a new order"
                );
            }
            auto lines = reserved_lines(session, request.order_no);
            tx.commit();
            return lines;  // a retry: what the first call took
        }
        auto taken = take_stock(session, db_.dialect(), request.user_id, request.lines, request.from_cart);
        if (!taken.ok()) {
            return taken.error();  // rolled back: nothing taken, the claim undone
        }
        int line_no = 0;
        for (const auto& item : taken.value()) {
            Query q(
                "INSERT INTO stock_reservation_lines (order_no, line_no, product_id, product_name, product_image, "
                "quantity, unit_price_cents) VALUES ("
            );
            q.param(request.order_no).sql(", ").param(++line_no).sql(", ").param(item.product_id).sql(", ");
            q.param(item.product_name).sql(", ").param(item.product_image).sql(", ").param(item.quantity);
            q.sql(", ").param(item.unit_price).sql(")");
            execute_counting(session, q);
        }
        tx.commit();
        return taken;
    });
}

Result<std::vector<domain::OrderItem>> SqlStockReservations::release(const std::string& order_no) {
    if (order_no.empty()) {
        return make_error(ErrorCode::kBadRequest, "a release needs an order number", "order_no");
    }
    return with_retry([&]() -> Result<std::vector<domain::OrderItem>> {
        std::vector<domain::OrderItem> given_back;
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        if (claim_reservation(session, db_.dialect(), order_no, 0, kReleased, clock_.now())) {
            // Released before it was reserved (the order side gave up on a reserve whose outcome it
            // never heard): this row refuses the reserve if it arrives after all.
            tx.commit();
            return given_back;
        }
        const auto existing = locked_reservation(session, db_.dialect(), order_no);
        if (existing && existing->status == kReserved) {
            given_back = reserved_lines(session, order_no);
            // In product-id order, as stock is taken: two transactions lock rows alike.
            std::sort(given_back.begin(), given_back.end(), [](const auto& a, const auto& b) {
                return a.product_id < b.product_id;
            });
            for (const auto& item : given_back) {
                restock(session, item.product_id, item.quantity);
            }
            Query q("UPDATE stock_reservations SET status = ");
            q.param(kReleased).sql(", updated_at = ").param(to_db_time(clock_.now()));
            q.sql(" WHERE order_no = ").param(order_no);
            execute_counting(session, q);
        }
        tx.commit();
        return given_back;
    });
}

}  // namespace gomall::adapters::sql
