// Payment attempts, refunds and records in SQL. Inserts that may collide (two shoppers' tabs
// starting a payment, a notification retried while the first is handled) use INSERT IGNORE and
// the row count, so the loser learns it lost without an error path that differs per driver.
#include "adapters/sql/payment_repository.hpp"

#include <algorithm>
#include <stdexcept>

#include "adapters/sql/sql_util.hpp"
#include "domain/order.hpp"

namespace gomall::adapters::sql {
namespace {

constexpr const char* kAttemptSelect =
    "SELECT id, order_no, user_id, attempt_no, out_trade_no, provider, amount_cents, status, code_url, prepay_id, "
    "transaction_id, expires_at, paid_at, created_at, updated_at FROM payment_attempts ";

struct AttemptRow {
    long long id = 0;
    std::string order_no;
    long long user_id = 0;
    int attempt_no = 0;
    std::string out_trade_no, provider;
    long long amount = 0;
    int status = 0;
    std::string code_url, prepay_id, transaction_id, expires_at, paid_at;
    soci::indicator paid_ind = soci::i_null;
    std::string created_at, updated_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(order_no));
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(attempt_no));
        st.exchange(soci::into(out_trade_no));
        st.exchange(soci::into(provider));
        st.exchange(soci::into(amount));
        st.exchange(soci::into(status));
        st.exchange(soci::into(code_url));
        st.exchange(soci::into(prepay_id));
        st.exchange(soci::into(transaction_id));
        st.exchange(soci::into(expires_at));
        st.exchange(soci::into(paid_at, paid_ind));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }

    domain::PaymentAttempt to_domain() const {
        domain::PaymentAttempt a;
        a.id = id;
        a.order_no = order_no;
        a.user_id = user_id;
        a.attempt_no = attempt_no;
        a.out_trade_no = out_trade_no;
        a.provider = provider;
        a.amount = amount;
        a.status = static_cast<domain::AttemptStatus>(status);
        a.code_url = code_url;
        a.prepay_id = prepay_id;
        a.transaction_id = transaction_id;
        a.expires_at = from_db_time(expires_at);
        if (paid_ind == soci::i_ok && !paid_at.empty()) {
            a.paid_at = from_db_time(paid_at);
        }
        a.created_at = from_db_time(created_at);
        a.updated_at = from_db_time(updated_at);
        return a;
    }
};

constexpr const char* kRefundSelect =
    "SELECT id, out_refund_no, order_no, out_trade_no, provider, amount_cents, status, refund_id, automatic, "
    "created_at, updated_at FROM payment_refunds ";

struct RefundRow {
    long long id = 0;
    std::string out_refund_no, order_no, out_trade_no, provider;
    long long amount = 0;
    int status = 0;
    std::string refund_id;
    int automatic = 0;
    std::string created_at, updated_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(out_refund_no));
        st.exchange(soci::into(order_no));
        st.exchange(soci::into(out_trade_no));
        st.exchange(soci::into(provider));
        st.exchange(soci::into(amount));
        st.exchange(soci::into(status));
        st.exchange(soci::into(refund_id));
        st.exchange(soci::into(automatic));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }

    domain::RefundEntry to_domain() const {
        domain::RefundEntry r;
        r.id = id;
        r.out_refund_no = out_refund_no;
        r.order_no = order_no;
        r.out_trade_no = out_trade_no;
        r.provider = provider;
        r.amount = amount;
        r.status = static_cast<domain::RefundStatus>(status);
        r.refund_id = refund_id;
        r.automatic = automatic != 0;
        r.created_at = from_db_time(created_at);
        r.updated_at = from_db_time(updated_at);
        return r;
    }
};

struct RecordRow {
    long long id = 0;
    std::string order_no, kind, provider, out_trade_no, transaction_id, out_refund_no, refund_id;
    long long amount = 0;
    std::string status, detail, created_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(order_no));
        st.exchange(soci::into(kind));
        st.exchange(soci::into(provider));
        st.exchange(soci::into(out_trade_no));
        st.exchange(soci::into(transaction_id));
        st.exchange(soci::into(out_refund_no));
        st.exchange(soci::into(refund_id));
        st.exchange(soci::into(amount));
        st.exchange(soci::into(status));
        st.exchange(soci::into(detail));
        st.exchange(soci::into(created_at));
    }
};

long long paid_like(domain::OrderStatus s) {
    return static_cast<long long>(s);
}

// The order statuses from which money can be refunded: paid, shipped, completed.
void paid_statuses(Query& q) {
    q.sql(" IN (").param(paid_like(domain::OrderStatus::kPaid)).sql(", ");
    q.param(paid_like(domain::OrderStatus::kShipped)).sql(", ");
    q.param(paid_like(domain::OrderStatus::kCompleted)).sql(")");
}

// Keys are generated by the service within these widths; a longer one would be cut by MariaDB's
// INSERT IGNORE and then never found again, so it is a bug to stop at once.
void check_width(const std::string& value, std::size_t max_bytes, const char* what) {
    if (value.empty() || value.size() > max_bytes) {
        throw std::invalid_argument(std::string(what) + " must be 1-" + std::to_string(max_bytes) + " bytes");
    }
}

}  // namespace

const char* SqlPaymentRepository::insert_ignore() const {
    return insert_ignore_into(db_.dialect());
}

bool SqlPaymentRepository::insert_attempt(const domain::PaymentAttempt& a) {
    check_width(a.order_no, 32, "order_no");
    check_width(a.out_trade_no, 32, "out_trade_no");
    check_width(a.provider, 16, "provider");
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(a.created_at);
    Query q(insert_ignore());
    q.sql(
        "payment_attempts (order_no, user_id, attempt_no, out_trade_no, provider, amount_cents, status, "
        "expires_at, created_at, updated_at) VALUES ("
    );
    q.param(a.order_no).sql(", ").param(a.user_id).sql(", ").param(static_cast<long long>(a.attempt_no)).sql(", ");
    q.param(a.out_trade_no).sql(", ").param(a.provider).sql(", ").param(a.amount).sql(", ");
    q.param(static_cast<long long>(a.status)).sql(", ").param(to_db_time(a.expires_at)).sql(", ");
    q.param(stamp).sql(", ").param(stamp).sql(")");
    return execute_counting(*session, q) == 1;
}

std::optional<domain::PaymentAttempt> SqlPaymentRepository::find_attempt(const std::string& out_trade_no) {
    SessionLease session = db_.lease();
    Query q(kAttemptSelect);
    q.sql("WHERE out_trade_no = ").param(out_trade_no);
    auto rows = fetch_rows<AttemptRow>(*session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front().to_domain();
}

std::vector<domain::PaymentAttempt> SqlPaymentRepository::attempts_of(const std::string& order_no) {
    SessionLease session = db_.lease();
    Query q(kAttemptSelect);
    q.sql("WHERE order_no = ").param(order_no).sql(" ORDER BY attempt_no");
    std::vector<domain::PaymentAttempt> out;
    for (const AttemptRow& row : fetch_rows<AttemptRow>(*session, q)) {
        out.push_back(row.to_domain());
    }
    return out;
}

bool SqlPaymentRepository::open_attempt(
    const std::string& out_trade_no, const std::string& code_url, const std::string& prepay_id, TimePoint now
) {
    SessionLease session = db_.lease();
    Query q("UPDATE payment_attempts SET status = ");
    q.param(static_cast<long long>(domain::AttemptStatus::kOpen)).sql(", code_url = ").param(clip(code_url, 256));
    q.sql(", prepay_id = ").param(clip(prepay_id, 64)).sql(", updated_at = ").param(to_db_time(now));
    q.sql(" WHERE out_trade_no = ").param(out_trade_no).sql(" AND status = ");
    q.param(static_cast<long long>(domain::AttemptStatus::kCreating));
    return execute_counting(*session, q) == 1;
}

bool SqlPaymentRepository::end_attempt(const std::string& out_trade_no, domain::AttemptStatus status, TimePoint now) {
    if (status != domain::AttemptStatus::kClosed && status != domain::AttemptStatus::kFailed) {
        throw std::invalid_argument("an attempt ends closed or failed");
    }
    SessionLease session = db_.lease();
    Query q("UPDATE payment_attempts SET status = ");
    q.param(static_cast<long long>(status)).sql(", updated_at = ").param(to_db_time(now));
    q.sql(" WHERE out_trade_no = ").param(out_trade_no).sql(" AND status IN (");
    q.param(static_cast<long long>(domain::AttemptStatus::kCreating)).sql(", ");
    q.param(static_cast<long long>(domain::AttemptStatus::kOpen)).sql(")");
    return execute_counting(*session, q) == 1;
}

bool SqlPaymentRepository::claim_attempt_paid(
    const std::string& out_trade_no, const std::string& transaction_id, TimePoint paid_at, TimePoint now
) {
    SessionLease session = db_.lease();
    Query q("UPDATE payment_attempts SET status = ");
    q.param(static_cast<long long>(domain::AttemptStatus::kPaid)).sql(", transaction_id = ");
    q.param(clip(transaction_id, 64)).sql(", paid_at = ").param(to_db_time(paid_at));
    q.sql(", updated_at = ").param(to_db_time(now)).sql(" WHERE out_trade_no = ").param(out_trade_no);
    q.sql(" AND status <> ").param(static_cast<long long>(domain::AttemptStatus::kPaid));
    return execute_counting(*session, q) == 1;
}

bool SqlPaymentRepository::mark_order_paid(
    const std::string& order_no, const std::string& out_trade_no, TimePoint now
) {
    check_width(out_trade_no, 32, "out_trade_no");
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(now);
    Query q("UPDATE orders SET status = ");
    q.param(static_cast<long long>(domain::OrderStatus::kPaid)).sql(", pay_type = ");
    q.param(static_cast<long long>(domain::PayType::kWechat)).sql(", paid_trade_no = ").param(out_trade_no);
    q.sql(", paid_at = ").param(stamp).sql(", updated_at = ").param(stamp);
    q.sql(" WHERE order_no = ").param(order_no).sql(" AND status IN (");
    q.param(static_cast<long long>(domain::OrderStatus::kProcessing)).sql(", ");
    q.param(static_cast<long long>(domain::OrderStatus::kAwaitingPayment)).sql(")");
    return execute_counting(*session, q) == 1;
}

std::string SqlPaymentRepository::paid_trade_no(const std::string& order_no) {
    struct Row {
        std::string value;
        soci::indicator ind = soci::i_null;
        void exchange(soci::statement& st) { st.exchange(soci::into(value, ind)); }
    };
    SessionLease session = db_.lease();
    Query q("SELECT paid_trade_no FROM orders WHERE order_no = ");
    q.param(order_no);
    auto rows = fetch_rows<Row>(*session, q);
    return rows.empty() || rows.front().ind != soci::i_ok ? std::string() : rows.front().value;
}

bool SqlPaymentRepository::reserve_refund(const std::string& order_no, Cents amount, TimePoint now) {
    if (amount <= 0) {
        return false;
    }
    SessionLease session = db_.lease();
    Query q("UPDATE orders SET refunded_cents = refunded_cents + ");
    q.param(amount).sql(", updated_at = ").param(to_db_time(now)).sql(" WHERE order_no = ").param(order_no);
    q.sql(" AND refunded_cents + ").param(amount).sql(" <= total_cents AND status");
    paid_statuses(q);
    return execute_counting(*session, q) == 1;
}

void SqlPaymentRepository::release_refund(const std::string& order_no, Cents amount, TimePoint now) {
    if (amount <= 0) {
        return;
    }
    SessionLease session = db_.lease();
    Query q("UPDATE orders SET refunded_cents = refunded_cents - ");
    q.param(amount).sql(", updated_at = ").param(to_db_time(now)).sql(" WHERE order_no = ").param(order_no);
    q.sql(" AND refunded_cents >= ").param(amount);
    execute_counting(*session, q);
}

Cents SqlPaymentRepository::refunded_total(const std::string& order_no) {
    SessionLease session = db_.lease();
    Query q("SELECT refunded_cents FROM orders WHERE order_no = ");
    q.param(order_no);
    return fetch_integer(*session, q, 0);
}

bool SqlPaymentRepository::insert_refund(const domain::RefundEntry& r) {
    check_width(r.out_refund_no, 64, "out_refund_no");
    check_width(r.order_no, 32, "order_no");
    check_width(r.out_trade_no, 32, "out_trade_no");
    check_width(r.provider, 16, "provider");
    if (r.amount <= 0) {
        throw std::invalid_argument("refund amount must be positive");
    }
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(r.created_at);
    Query q(insert_ignore());
    q.sql(
        "payment_refunds (out_refund_no, order_no, out_trade_no, provider, amount_cents, status, automatic, "
        "created_at, updated_at) VALUES ("
    );
    q.param(r.out_refund_no).sql(", ").param(r.order_no).sql(", ").param(r.out_trade_no).sql(", ");
    q.param(r.provider).sql(", ").param(r.amount).sql(", ").param(static_cast<long long>(r.status)).sql(", ");
    q.param(r.automatic ? 1LL : 0LL).sql(", ").param(stamp).sql(", ").param(stamp).sql(")");
    return execute_counting(*session, q) == 1;
}

std::optional<domain::RefundEntry> SqlPaymentRepository::find_refund(const std::string& out_refund_no) {
    SessionLease session = db_.lease();
    Query q(kRefundSelect);
    q.sql("WHERE out_refund_no = ").param(out_refund_no);
    auto rows = fetch_rows<RefundRow>(*session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front().to_domain();
}

std::vector<domain::RefundEntry> SqlPaymentRepository::refunds_of(const std::string& order_no) {
    SessionLease session = db_.lease();
    Query q(kRefundSelect);
    q.sql("WHERE order_no = ").param(order_no).sql(" ORDER BY id");
    std::vector<domain::RefundEntry> out;
    for (const RefundRow& row : fetch_rows<RefundRow>(*session, q)) {
        out.push_back(row.to_domain());
    }
    return out;
}

std::vector<domain::RefundEntry> SqlPaymentRepository::processing_refunds(TimePoint before, int limit) {
    if (limit <= 0) {
        return {};
    }
    SessionLease session = db_.lease();
    Query q(kRefundSelect);
    q.sql("WHERE status = ").param(static_cast<long long>(domain::RefundStatus::kProcessing));
    q.sql(" AND created_at < ")
        .param(to_db_time(before))
        .sql(" ORDER BY id LIMIT ")
        .param(static_cast<long long>(limit));
    std::vector<domain::RefundEntry> out;
    for (const RefundRow& row : fetch_rows<RefundRow>(*session, q)) {
        out.push_back(row.to_domain());
    }
    return out;
}

bool SqlPaymentRepository::settle_refund(
    const std::string& out_refund_no, domain::RefundStatus status, const std::string& refund_id, TimePoint now
) {
    if (status == domain::RefundStatus::kProcessing) {
        return false;  // nothing to settle
    }
    SessionLease session = db_.lease();
    Query q("UPDATE payment_refunds SET status = ");
    q.param(static_cast<long long>(status)).sql(", refund_id = ").param(clip(refund_id, 64));
    q.sql(", updated_at = ").param(to_db_time(now)).sql(" WHERE out_refund_no = ").param(out_refund_no);
    q.sql(" AND status = ").param(static_cast<long long>(domain::RefundStatus::kProcessing));
    return execute_counting(*session, q) == 1;
}

bool SqlPaymentRepository::mark_order_refunded_if_complete(const std::string& order_no, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("UPDATE orders SET status = ");
    q.param(static_cast<long long>(domain::OrderStatus::kRefunded)).sql(", updated_at = ").param(to_db_time(now));
    q.sql(" WHERE order_no = ").param(order_no).sql(" AND refunded_cents >= total_cents AND status");
    paid_statuses(q);
    q.sql(" AND NOT EXISTS (SELECT 1 FROM payment_refunds WHERE order_no = ").param(order_no);
    q.sql(" AND automatic = 0 AND status = ").param(static_cast<long long>(domain::RefundStatus::kProcessing));
    q.sql(")");
    return execute_counting(*session, q) == 1;
}

void SqlPaymentRepository::append_record(const domain::PaymentRecord& r) {
    SessionLease session = db_.lease();
    Query q(
        "INSERT INTO payment_records (order_no, kind, provider, out_trade_no, transaction_id, out_refund_no, "
        "refund_id, amount_cents, status, detail, created_at) VALUES ("
    );
    q.param(clip(r.order_no, 32)).sql(", ").param(clip(r.kind, 16)).sql(", ").param(clip(r.provider, 16)).sql(", ");
    q.param(clip(r.out_trade_no, 64)).sql(", ").param(clip(r.transaction_id, 64)).sql(", ");
    q.param(clip(r.out_refund_no, 64)).sql(", ").param(clip(r.refund_id, 64)).sql(", ").param(r.amount).sql(", ");
    q.param(clip(r.status, 64)).sql(", ").param(clip(r.detail, 500)).sql(", ").param(to_db_time(r.created_at));
    q.sql(")");
    execute_counting(*session, q);
}

std::vector<domain::PaymentRecord> SqlPaymentRepository::records_of(const std::string& order_no, int limit) {
    if (limit <= 0) {
        return {};
    }
    SessionLease session = db_.lease();
    Query q(
        "SELECT id, order_no, kind, provider, out_trade_no, transaction_id, out_refund_no, refund_id, "
        "amount_cents, status, detail, created_at FROM payment_records WHERE order_no = "
    );
    q.param(order_no).sql(" ORDER BY id DESC LIMIT ").param(static_cast<long long>(limit));
    std::vector<domain::PaymentRecord> out;
    for (const RecordRow& row : fetch_rows<RecordRow>(*session, q)) {
        out.push_back(
            {row.id,
             row.order_no,
             row.kind,
             row.provider,
             row.out_trade_no,
             row.transaction_id,
             row.out_refund_no,
             row.refund_id,
             row.amount,
             row.status,
             row.detail,
             from_db_time(row.created_at)}
        );
    }
    return out;
}

}  // namespace gomall::adapters::sql
