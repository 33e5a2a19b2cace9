// Reading and deleting flash_sale_order_outbox rows.
#include "adapters/sql/flash_sale_order_outbox.hpp"

#include <algorithm>
#include <map>

#include "adapters/sql/sql_util.hpp"
#include "domain/seckill.hpp"

namespace gomall::adapters::sql {
namespace {

constexpr std::size_t kRowsPerStatement = 100;
constexpr std::size_t kMaxReasonBytes = 500;  // the column's size

constexpr const char* kOutboxSelect =
    "SELECT order_no, activity_id, user_id, product_id, product_name, product_image, price_cents, expires_at, "
    "created_at FROM flash_sale_order_outbox ";

struct OutboxRow {
    std::string order_no;
    long long activity_id = 0;
    long long user_id = 0;
    long long product_id = 0;
    std::string product_name, product_image;
    long long price = 0;
    std::string expires_at, created_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(order_no));
        st.exchange(soci::into(activity_id));
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(product_name));
        st.exchange(soci::into(product_image));
        st.exchange(soci::into(price));
        st.exchange(soci::into(expires_at));
        st.exchange(soci::into(created_at));
    }

    domain::Order to_domain() const {
        domain::Reservation won;
        won.order_no = order_no;
        won.activity_id = activity_id;
        won.user_id = user_id;
        won.product_id = product_id;
        won.price = price;
        return domain::flash_sale_order(
            won, product_name, product_image, from_db_time(created_at), from_db_time(expires_at)
        );
    }
};

// Appends "(?, ?, ...)" of order_nos[first, last) to `q`.
void in_list(Query& q, const std::vector<std::string>& order_nos, std::size_t first, std::size_t last) {
    q.sql("(");
    for (std::size_t k = first; k < last; ++k) {
        q.sql(k == first ? "" : ", ").param(order_nos[k]);
    }
    q.sql(")");
}

}  // namespace

std::vector<domain::Order> SqlFlashSaleOrderOutbox::find(const std::vector<std::string>& order_nos) {
    SessionLease session = db_.lease();
    std::map<std::string, domain::Order> found;
    for (std::size_t first = 0; first < order_nos.size(); first += kRowsPerStatement) {
        Query q(kOutboxSelect);
        q.sql("WHERE set_aside_at IS NULL AND order_no IN ");
        in_list(q, order_nos, first, std::min(order_nos.size(), first + kRowsPerStatement));
        for (const OutboxRow& row : fetch_rows<OutboxRow>(*session, q)) {
            found.emplace(row.order_no, row.to_domain());
        }
    }
    std::vector<domain::Order> out;
    for (const std::string& order_no : order_nos) {
        if (auto it = found.find(order_no); it != found.end()) {
            out.push_back(std::move(it->second));
            found.erase(it);  // a number asked for twice is answered once
        }
    }
    return out;
}

std::vector<domain::Order> SqlFlashSaleOrderOutbox::oldest(TimePoint written_before, int limit) {
    SessionLease session = db_.lease();
    Query q(kOutboxSelect);
    q.sql("WHERE set_aside_at IS NULL AND created_at < ").param(to_db_time(written_before));
    q.sql(" ORDER BY created_at, order_no LIMIT ").param(std::max(1, limit));
    std::vector<domain::Order> out;
    for (const OutboxRow& row : fetch_rows<OutboxRow>(*session, q)) {
        out.push_back(row.to_domain());
    }
    return out;
}

void SqlFlashSaleOrderOutbox::remove(const std::vector<std::string>& order_nos) {
    SessionLease session = db_.lease();
    for (std::size_t first = 0; first < order_nos.size(); first += kRowsPerStatement) {
        Query q("DELETE FROM flash_sale_order_outbox WHERE order_no IN ");
        in_list(q, order_nos, first, std::min(order_nos.size(), first + kRowsPerStatement));
        execute_counting(*session, q);
    }
}

void SqlFlashSaleOrderOutbox::set_aside(const std::string& order_no, const std::string& reason, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("UPDATE flash_sale_order_outbox SET set_aside_at = ");
    q.param(to_db_time(now)).sql(", set_aside_reason = ").param(clip(reason, kMaxReasonBytes));
    q.sql(" WHERE order_no = ").param(order_no);
    execute_counting(*session, q);
}

std::int64_t SqlFlashSaleOrderOutbox::waiting() {
    SessionLease session = db_.lease();
    Query q("SELECT COUNT(*) FROM flash_sale_order_outbox WHERE set_aside_at IS NULL");
    return fetch_integer(*session, q);
}

std::int64_t SqlFlashSaleOrderOutbox::set_aside_count() {
    SessionLease session = db_.lease();
    Query q("SELECT COUNT(*) FROM flash_sale_order_outbox WHERE set_aside_at IS NOT NULL");
    return fetch_integer(*session, q);
}

}  // namespace gomall::adapters::sql
