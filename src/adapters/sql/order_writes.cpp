// The writes of the order tables shared by SqlOrderRepository and SqlOrderPlacementStore.
#include "adapters/sql/order_writes.hpp"

#include "adapters/sql/flash_sale_orders.hpp"
#include "adapters/sql/order_rows.hpp"
#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
void insert_order(soci::session& session, domain::Order& order) {
    const std::string stamp = to_db_time(order.created_at);
    Query insert(
        "INSERT INTO orders (order_no, user_id, product_id, product_name, product_image, quantity, "
        "total_cents, status, pay_type, expires_at, paid_at, created_at, updated_at) VALUES ("
    );
    insert.param(order.order_no).sql(", ").param(order.user_id).sql(", ").param(order.product_id).sql(", ");
    insert.param(order.product_name).sql(", ").param(order.product_image).sql(", ").param(order.quantity);
    insert.sql(", ").param(order.total_price).sql(", ").param(static_cast<long long>(order.status)).sql(", ");
    insert.param(static_cast<long long>(order.pay_type)).sql(", ").param(to_db_time(order.expires_at));
    insert.sql(", NULL, ").param(stamp).sql(", ").param(to_db_time(order.updated_at)).sql(")");
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
}

std::vector<domain::OrderItem> order_lines(soci::session& session, const std::string& order_no) {
    Query items(
        "SELECT oi.product_id, oi.product_name, oi.product_image, oi.quantity, oi.unit_price_cents "
        "FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.order_no = "
    );
    items.param(order_no).sql(" ORDER BY oi.product_id");
    return fetch_order_items(session, items);
}

CancelClaim claim_cancel(soci::session& session, const std::string& order_no, TimePoint now, FlashSaleUnit unit) {
    Query claim("UPDATE orders SET status = ");
    claim.param(static_cast<long long>(domain::OrderStatus::kCancelled)).sql(", updated_at = ");
    claim.param(to_db_time(now)).sql(" WHERE order_no = ").param(order_no).sql(" AND status IN (");
    claim.param(static_cast<long long>(domain::OrderStatus::kProcessing)).sql(", ");
    claim.param(static_cast<long long>(domain::OrderStatus::kAwaitingPayment)).sql(")");
    if (execute_counting(session, claim) != 1) {
        return CancelClaim::kNotCancellable;
    }

    // A flash-sale order's unit belongs to its activity, not to the product's ordinary stock: it
    // goes back to the sale (sold - 1, its reservation released) here or through the caller.
    Query flash("SELECT seckill_activity_id FROM orders WHERE order_no = ");
    flash.param(order_no);
    if (fetch_integer(session, flash) != 0) {
        if (unit == FlashSaleUnit::kReturnedHere) {
            release_flash_sale_unit(session, order_no, now);
        }
        return CancelClaim::kFlashSale;
    }
    return CancelClaim::kOrdinary;
}

}  // namespace gomall::adapters::sql
