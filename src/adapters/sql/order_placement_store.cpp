// The order side's placement and release records. finish_placement deletes the placement row and
// writes the order in one transaction, and only when the delete found the row: the sweeper, which
// releases a stale placement's stock, deletes that row too, so an order is never written for stock
// that was given back.
#include "adapters/sql/order_placement_store.hpp"

#include <algorithm>

#include "adapters/sql/order_rows.hpp"
#include "adapters/sql/order_writes.hpp"
#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

std::vector<std::string> numbers_of(soci::session& session, Query& q) {
    std::vector<std::string> out;
    for (const OrderNumberRow& row : fetch_rows<OrderNumberRow>(session, q)) {
        out.push_back(row.order_no);
    }
    return out;
}

}  // namespace

void SqlOrderPlacementStore::begin_placement(const std::string& order_no, std::int64_t user_id, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("INSERT INTO order_placements (order_no, user_id, created_at) VALUES (");
    q.param(order_no).sql(", ").param(user_id).sql(", ").param(to_db_time(now)).sql(")");
    execute_counting(*session, q);
}

bool SqlOrderPlacementStore::finish_placement(domain::Order& order) {
    return with_retry([&] {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        Query end("DELETE FROM order_placements WHERE order_no = ");
        end.param(order.order_no);
        if (execute_counting(session, end) != 1) {
            return false;
        }
        insert_order(session, order);
        tx.commit();
        return true;
    });
}

void SqlOrderPlacementStore::drop_placement(const std::string& order_no) {
    SessionLease session = db_.lease();
    Query q("DELETE FROM order_placements WHERE order_no = ");
    q.param(order_no);
    execute_counting(*session, q);
}

std::vector<std::string> SqlOrderPlacementStore::stale_placements(TimePoint started_before, int limit) {
    SessionLease session = db_.lease();
    Query q("SELECT order_no FROM order_placements WHERE created_at < ");
    q.param(to_db_time(started_before)).sql(" ORDER BY created_at LIMIT ").param(std::max(1, limit));
    return numbers_of(*session, q);
}

ports::QueuedCancel SqlOrderPlacementStore::cancel_queueing_release(const std::string& order_no, TimePoint now) {
    return with_retry([&] {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        // A flash-sale order's unit goes back through the same queue, to the seckill service.
        if (claim_cancel(session, order_no, now, FlashSaleUnit::kCallersToSend) == CancelClaim::kNotCancellable) {
            return ports::QueuedCancel::kNotCancellable;
        }
        Query q("INSERT INTO stock_releases (order_no, created_at) VALUES (");
        q.param(order_no).sql(", ").param(to_db_time(now)).sql(")");
        execute_counting(session, q);
        tx.commit();
        return ports::QueuedCancel::kReleaseQueued;
    });
}

void SqlOrderPlacementStore::release_done(const std::string& order_no) {
    SessionLease session = db_.lease();
    Query q("DELETE FROM stock_releases WHERE order_no = ");
    q.param(order_no);
    execute_counting(*session, q);
}

std::vector<std::string> SqlOrderPlacementStore::queued_releases(int limit) {
    SessionLease session = db_.lease();
    Query q("SELECT order_no FROM stock_releases ORDER BY created_at LIMIT ");
    q.param(std::max(1, limit));
    return numbers_of(*session, q);
}

}  // namespace gomall::adapters::sql
