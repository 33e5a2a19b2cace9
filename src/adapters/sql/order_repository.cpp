// Orders in SQL. The database is the last guard against overselling: every stock decrement is
// a conditional UPDATE (stock >= quantity) whose affected-row count decides, inside the same
// transaction that writes the order.
#include "adapters/sql/order_repository.hpp"

#include <algorithm>

#include "adapters/sql/order_rows.hpp"
#include "adapters/sql/order_writes.hpp"
#include "adapters/sql/sql_util.hpp"
#include "adapters/sql/stock_taking.hpp"

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

void load_items(soci::session& session, domain::Order& order) {
    Query q(
        "SELECT product_id, product_name, product_image, quantity, unit_price_cents FROM order_items "
        "WHERE order_id = "
    );
    q.param(order.id).sql(" ORDER BY id");
    order.items = fetch_order_items(session, q);
}

}  // namespace

Result<domain::Order> SqlOrderRepository::place(const domain::OrderDraft& draft) {
    return with_retry([&]() -> Result<domain::Order> {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        auto taken = take_stock(session, db_.dialect(), draft.user_id, draft.lines, draft.remove_from_cart);
        if (!taken.ok()) {
            return taken.error();  // rolled back: nothing was taken
        }
        domain::Order order = domain::awaiting_payment(draft, std::move(taken.value()));
        insert_order(session, order);
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
        const CancelClaim claim = claim_cancel(session, order_no, now, FlashSaleUnit::kReturnedHere);
        if (claim == CancelClaim::kNotCancellable) {
            return false;
        }
        if (claim == CancelClaim::kOrdinary) {
            for (const auto& item : order_lines(session, order_no)) {
                restock(session, item.product_id, item.quantity);
            }
        }
        tx.commit();
        return true;
    });
}

std::vector<std::string> SqlOrderRepository::expired_unpaid(TimePoint now, int limit) {
    SessionLease session = db_.lease();
    Query q("SELECT order_no FROM orders WHERE status = ");
    q.param(static_cast<long long>(domain::OrderStatus::kAwaitingPayment)).sql(" AND expires_at < ");
    q.param(to_db_time(now)).sql(" ORDER BY expires_at ASC, id ASC LIMIT ").param(std::max(1, limit));
    std::vector<std::string> out;
    for (const OrderNumberRow& row : fetch_rows<OrderNumberRow>(*session, q)) {
        out.push_back(row.order_no);
    }
    return out;
}

}  // namespace gomall::adapters::sql
