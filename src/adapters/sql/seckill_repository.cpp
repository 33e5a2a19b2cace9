// Flash sales in SQL. fulfil() is the group commit behind the reservation queue: one transaction
// per batch, one guarded UPDATE per activity rather than per unit, and rows written with prepared
// (SQLite) or multi-row (MySQL) INSERTs, so hundreds of reservations become orders per commit.
#include "adapters/sql/seckill_repository.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "adapters/sql/flash_sale_orders.hpp"
#include "adapters/sql/sql_util.hpp"
#include "domain/order.hpp"

namespace gomall::adapters::sql {
namespace {

// The product's name, image and normal price are the activity's own snapshot (taken at creation):
// the catalogue's tables may be in another service's database.
constexpr const char* kActivitySelect =
    "SELECT a.id, a.product_id, a.product_name, a.product_image, a.original_price_cents, a.price_cents, "
    "a.total_stock, a.sold, a.start_time, a.end_time, a.per_user_limit, a.created_at, a.updated_at "
    "FROM seckill_activities a ";

constexpr const char* kReservationSelect =
    "SELECT id, activity_id, product_id, user_id, seq, price_cents, status, order_no, fail_reason, reserved_at "
    "FROM seckill_reservations ";

// Rows per multi-row INSERT or IN list: a 500-reservation batch needs only a few statements,
// and each stays far below the bound-parameter limits (SQLite 32766, MySQL 65535).
constexpr std::size_t kRowsPerStatement = 100;

constexpr const char* kSoldOutReason = "sold out";
constexpr const char* kUnknownActivityReason = "activity not found";
constexpr const char* kLimitReason = "limit reached";

struct ActivityRow {
    long long id = 0;
    long long product_id = 0;
    std::string product_name, product_image;
    long long original_price = 0;
    long long price = 0;
    long long total_stock = 0;
    long long sold = 0;
    std::string start_time, end_time;
    int per_user_limit = 1;
    std::string created_at, updated_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(product_name));
        st.exchange(soci::into(product_image));
        st.exchange(soci::into(original_price));
        st.exchange(soci::into(price));
        st.exchange(soci::into(total_stock));
        st.exchange(soci::into(sold));
        st.exchange(soci::into(start_time));
        st.exchange(soci::into(end_time));
        st.exchange(soci::into(per_user_limit));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }

    domain::SeckillActivity to_domain() const {
        domain::SeckillActivity a;
        a.id = id;
        a.product_id = product_id;
        a.product_name = product_name;
        a.product_image = product_image;
        a.original_price = original_price;
        a.price = price;
        a.total_stock = total_stock;
        a.sold = sold;
        a.start_time = from_db_time(start_time);
        a.end_time = from_db_time(end_time);
        a.per_user_limit = per_user_limit;
        a.created_at = from_db_time(created_at);
        a.updated_at = from_db_time(updated_at);
        return a;
    }
};

struct ReservationRow {
    std::string id;
    long long activity_id = 0;
    long long product_id = 0;
    long long user_id = 0;
    int seq = 0;
    long long price = 0;
    int status = 0;
    std::string order_no;
    soci::indicator order_no_ind = soci::i_null;
    std::string fail_reason;
    soci::indicator fail_reason_ind = soci::i_null;
    std::string reserved_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(activity_id));
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(seq));
        st.exchange(soci::into(price));
        st.exchange(soci::into(status));
        st.exchange(soci::into(order_no, order_no_ind));
        st.exchange(soci::into(fail_reason, fail_reason_ind));
        st.exchange(soci::into(reserved_at));
    }

    domain::Reservation to_domain() const {
        domain::Reservation r;
        r.id = id;
        r.activity_id = activity_id;
        r.product_id = product_id;
        r.user_id = user_id;
        r.seq = seq;
        r.price = price;
        r.reserved_at = from_db_time(reserved_at);
        r.status = static_cast<domain::ReservationStatus>(status);
        r.order_no = order_no_ind == soci::i_ok ? order_no : std::string();
        r.fail_reason = fail_reason_ind == soci::i_ok ? fail_reason : std::string();
        return r;
    }
};

// What the guard needs to know about an activity, read under its row lock, and the label its
// orders carry.
struct ActivityStock {
    long long available = 0;  // total_stock - sold
    long long product_id = 0;
    long long price = 0;
    int per_user_limit = 1;
    std::string product_name, product_image;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(available));
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(price));
        st.exchange(soci::into(per_user_limit));
        st.exchange(soci::into(product_name));
        st.exchange(soci::into(product_image));
    }
};

struct TallyRow {
    long long user_id = 0;
    long long held = 0;
    long long issued = 0;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(held));
        st.exchange(soci::into(issued));
    }
};

using UserSeq = std::pair<std::int64_t, int>;

long long status_value(domain::ReservationStatus status) {
    return static_cast<long long>(status);
}

// Takes over the stored outcome of an already-fulfilled reservation (idempotent redelivery).
void adopt(domain::Reservation& target, const domain::Reservation& stored) {
    target.id = stored.id;
    target.product_id = stored.product_id;
    target.price = stored.price;
    target.reserved_at = stored.reserved_at;
    target.status = stored.status;
    target.order_no = stored.order_no;
    target.fail_reason = stored.fail_reason;
}

// Stored reservations of `users` in the activity, by (user, seq).
std::map<UserSeq, domain::Reservation> stored_reservations(
    soci::session& session, std::int64_t activity_id, const std::vector<std::int64_t>& users
) {
    std::map<UserSeq, domain::Reservation> out;
    for (std::size_t first = 0; first < users.size(); first += kRowsPerStatement) {
        const std::size_t last = std::min(users.size(), first + kRowsPerStatement);
        Query q(kReservationSelect);
        q.sql("WHERE activity_id = ").param(activity_id).sql(" AND user_id IN (");
        for (std::size_t i = first; i < last; ++i) {
            q.sql(i == first ? "" : ", ").param(users[i]);
        }
        q.sql(")");
        for (const ReservationRow& row : fetch_rows<ReservationRow>(session, q)) {
            out.emplace(UserSeq{row.user_id, row.seq}, row.to_domain());
        }
    }
    return out;
}

// How the reservation rows of a batch are written: as for the orders (flash_sale_orders.cpp), one
// prepared statement per row on SQLite, multi-row INSERTs on MySQL.

void insert_reservations_prepared(
    soci::session& session,
    const std::vector<domain::Reservation>& batch,
    const std::vector<std::size_t>& rows,
    const std::string& stamp
) {
    std::string id, order_no, fail_reason, reserved_at;
    soci::indicator order_no_ind = soci::i_null;
    soci::indicator fail_reason_ind = soci::i_null;
    long long activity_id = 0;
    long long product_id = 0;
    long long user_id = 0;
    long long seq = 0;
    long long price = 0;
    long long status = 0;
    soci::statement insert =
        (session.prepare << "INSERT INTO seckill_reservations (id, activity_id, product_id, user_id, seq, "
                            "price_cents, status, order_no, fail_reason, reserved_at, updated_at) VALUES (:id, "
                            ":activity_id, :product_id, :user_id, :seq, :price, :status, :order_no, :fail_reason, "
                            ":reserved_at, :updated_at)",
         soci::use(id),
         soci::use(activity_id),
         soci::use(product_id),
         soci::use(user_id),
         soci::use(seq),
         soci::use(price),
         soci::use(status),
         soci::use(order_no, order_no_ind),
         soci::use(fail_reason, fail_reason_ind),
         soci::use(reserved_at),
         soci::use(stamp));
    // Bound by reference, as above. NOLINTBEGIN(clang-analyzer-deadcode.DeadStores)
    for (std::size_t index : rows) {
        const domain::Reservation& r = batch[index];
        id = r.id;
        activity_id = r.activity_id;
        product_id = r.product_id;
        user_id = r.user_id;
        seq = r.seq;
        price = r.price;
        status = status_value(r.status);
        order_no = r.order_no;
        order_no_ind = r.order_no.empty() ? soci::i_null : soci::i_ok;
        fail_reason = r.fail_reason;
        fail_reason_ind = r.fail_reason.empty() ? soci::i_null : soci::i_ok;
        reserved_at = to_db_time(r.reserved_at);
        insert.execute(true);
    }
    // NOLINTEND(clang-analyzer-deadcode.DeadStores)
}

void insert_reservations_multirow(
    soci::session& session,
    const std::vector<domain::Reservation>& batch,
    const std::vector<std::size_t>& rows,
    const std::string& stamp
) {
    for (std::size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
        const std::size_t last = std::min(rows.size(), first + kRowsPerStatement);
        Query insert(
            "INSERT INTO seckill_reservations (id, activity_id, product_id, user_id, seq, price_cents, status, "
            "order_no, fail_reason, reserved_at, updated_at) VALUES "
        );
        for (std::size_t k = first; k < last; ++k) {
            const domain::Reservation& r = batch[rows[k]];
            insert.sql(k == first ? "(" : ", (").param(r.id).sql(", ").param(r.activity_id).sql(", ");
            insert.param(r.product_id).sql(", ").param(r.user_id).sql(", ").param(r.seq).sql(", ");
            insert.param(r.price).sql(", ").param(status_value(r.status)).sql(", ");
            if (r.order_no.empty()) {
                insert.sql("NULL, ");
            } else {
                insert.param(r.order_no).sql(", ");
            }
            if (r.fail_reason.empty()) {
                insert.sql("NULL, ");
            } else {
                insert.param(r.fail_reason).sql(", ");
            }
            insert.param(to_db_time(r.reserved_at)).sql(", ").param(stamp).sql(")");
        }
        execute_counting(session, insert);
    }
}

// Services mode: a reservation whose order still waits in the outbox has a unit but no order the
// shopper can see yet, so it reads as pending (queued) until the relay has handed the order over.
void show_waiting_orders_as_pending(soci::session& session, std::vector<domain::Reservation>& reservations) {
    std::vector<std::string> numbers;
    for (const auto& r : reservations) {
        if (r.status == domain::ReservationStatus::kSucceeded && !r.order_no.empty()) {
            numbers.push_back(r.order_no);
        }
    }
    if (numbers.empty()) {
        return;
    }
    const auto in_outbox = order_numbers_in(session, OrderNumbersOf::kOutbox, numbers);
    const std::set<std::string> waiting(in_outbox.begin(), in_outbox.end());
    for (auto& r : reservations) {
        if (r.status == domain::ReservationStatus::kSucceeded && waiting.count(r.order_no) != 0) {
            r.status = domain::ReservationStatus::kPending;
            r.order_no.clear();
        }
    }
}

// The body of fulfil's transaction; fills in the outcome of every reservation in `batch`.
void fulfil_in_transaction(
    soci::session& session,
    Dialect dialect,
    std::vector<domain::Reservation>& batch,
    TimePoint now,
    TimePoint expires_at,
    const std::function<std::string()>& next_order_no,
    FlashSaleOrders delivery
) {
    // Activities in ascending id order, so concurrent batches lock their rows in the same order.
    std::map<std::int64_t, std::vector<std::size_t>> by_activity;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        by_activity[batch[i].activity_id].push_back(i);
    }

    std::vector<domain::Order> orders;
    std::vector<std::size_t> new_rows;                         // reservations stored by this batch
    std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (repeat, first) of a key seen twice in the batch
    for (const auto& [activity_id, indices] : by_activity) {
        // The row lock serialises batches of one activity (MySQL; SQLite's BEGIN IMMEDIATE already
        // does), and taking it before reading reservations makes that read see every earlier commit.
        Query lock(
            "SELECT total_stock - sold, product_id, price_cents, per_user_limit, product_name, product_image "
            "FROM seckill_activities WHERE id = "
        );
        lock.param(activity_id);
        if (dialect == Dialect::kMysql) {
            lock.sql(" FOR UPDATE");
        }
        const auto stock_rows = fetch_rows<ActivityStock>(session, lock);
        if (stock_rows.empty()) {
            // Nothing to store either: the reservation row would reference a missing activity.
            for (std::size_t i : indices) {
                batch[i].status = domain::ReservationStatus::kFailed;
                batch[i].fail_reason = kUnknownActivityReason;
                batch[i].order_no.clear();
            }
            continue;
        }
        const ActivityStock& stock = stock_rows.front();

        std::set<std::int64_t> user_set;
        for (std::size_t i : indices) {
            user_set.insert(batch[i].user_id);
        }
        const std::vector<std::int64_t> users(user_set.begin(), user_set.end());
        const auto stored = stored_reservations(session, activity_id, users);

        // The per-shopper guard: units a shopper already holds (pending or bought) count against the
        // limit. The stock gate enforces it first; this catches a gate that lost its marks (Redis
        // flushed, a unit released after a handoff the broker had in fact accepted).
        std::map<std::int64_t, int> held;
        for (const auto& [key, r] : stored) {
            if (r.status == domain::ReservationStatus::kPending || r.status == domain::ReservationStatus::kSucceeded) {
                ++held[key.first];
            }
        }
        std::map<UserSeq, std::size_t> first_in_batch;
        std::vector<std::size_t> fresh;
        std::vector<std::size_t> over_limit;
        for (std::size_t i : indices) {
            const UserSeq key{batch[i].user_id, batch[i].seq};
            if (const auto it = stored.find(key); it != stored.end()) {
                adopt(batch[i], it->second);
            } else if (const auto [pos, inserted] = first_in_batch.emplace(key, i); !inserted) {
                repeats.emplace_back(i, pos->second);
            } else if (held[key.first] >= stock.per_user_limit) {
                over_limit.push_back(i);
            } else {
                ++held[key.first];
                fresh.push_back(i);
            }
        }
        for (std::size_t i : over_limit) {
            domain::Reservation& r = batch[i];
            r.product_id = stock.product_id;
            if (r.price <= 0) {
                r.price = stock.price;
            }
            r.status = domain::ReservationStatus::kFailed;
            r.order_no.clear();
            r.fail_reason = kLimitReason;
            new_rows.push_back(i);
        }
        if (fresh.empty()) {
            continue;
        }

        // The oversell guard, once for the activity's whole share of the batch: the first `granted`
        // new reservations (in batch order) get a unit, exactly as if each had run
        // `sold = sold + 1 WHERE sold < total_stock` in turn, but in one statement.
        const long long granted = std::clamp<long long>(stock.available, 0, static_cast<long long>(fresh.size()));
        if (granted > 0) {
            Query guard("UPDATE seckill_activities SET sold = sold + ");
            guard.param(granted).sql(" WHERE id = ").param(activity_id);
            guard.sql(" AND sold + ").param(granted).sql(" <= total_stock");
            if (execute_counting(session, guard) != 1) {
                // Cannot happen while the row lock is held; failing the batch is the safe answer.
                throw std::runtime_error("flash sale " + std::to_string(activity_id) + ": stock guard refused");
            }
        }
        for (std::size_t k = 0; k < fresh.size(); ++k) {
            domain::Reservation& r = batch[fresh[k]];
            r.product_id = stock.product_id;
            if (r.price <= 0) {
                r.price = stock.price;
            }
            if (static_cast<long long>(k) < granted) {
                r.status = domain::ReservationStatus::kSucceeded;
                r.order_no = next_order_no();
                r.fail_reason.clear();
                orders.push_back(domain::flash_sale_order(r, stock.product_name, stock.product_image, now, expires_at));
            } else {
                r.status = domain::ReservationStatus::kFailed;
                r.order_no.clear();
                r.fail_reason = kSoldOutReason;
            }
            new_rows.push_back(fresh[k]);
        }
    }

    const std::string stamp = to_db_time(now);
    if (delivery == FlashSaleOrders::kWrittenHere) {
        insert_flash_sale_orders(session, dialect, orders);
    } else {
        insert_outbox_rows(session, orders);
    }
    if (dialect == Dialect::kSqlite) {
        insert_reservations_prepared(session, batch, new_rows, stamp);
    } else {
        insert_reservations_multirow(session, batch, new_rows, stamp);
    }
    for (const auto& [repeat, first] : repeats) {
        adopt(batch[repeat], batch[first]);
    }
}

}  // namespace

std::int64_t SqlSeckillRepository::create_activity(const domain::SeckillActivity& activity, TimePoint now) {
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(now);
    Query q(
        "INSERT INTO seckill_activities (product_id, product_name, product_image, original_price_cents, price_cents, "
        "total_stock, sold, start_time, end_time, per_user_limit, created_at, updated_at) VALUES ("
    );
    q.param(activity.product_id).sql(", ").param(activity.product_name).sql(", ").param(activity.product_image);
    q.sql(", ").param(activity.original_price).sql(", ").param(activity.price).sql(", ").param(activity.total_stock);
    q.sql(", 0, ").param(to_db_time(activity.start_time)).sql(", ").param(to_db_time(activity.end_time));
    q.sql(", ").param(activity.per_user_limit).sql(", ").param(stamp).sql(", ").param(stamp).sql(")");
    execute_counting(*session, q);
    long long id = 0;
    session->get_last_insert_id("seckill_activities", id);
    return id;
}

bool SqlSeckillRepository::update_activity(const domain::SeckillActivity& activity, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("UPDATE seckill_activities SET price_cents = ");
    q.param(activity.price).sql(", total_stock = ").param(activity.total_stock);
    q.sql(", start_time = ").param(to_db_time(activity.start_time));
    q.sql(", end_time = ").param(to_db_time(activity.end_time));
    q.sql(", per_user_limit = ").param(activity.per_user_limit);
    q.sql(", product_name = ").param(activity.product_name).sql(", product_image = ").param(activity.product_image);
    q.sql(", original_price_cents = ").param(activity.original_price);
    q.sql(", updated_at = ").param(to_db_time(now)).sql(" WHERE id = ").param(activity.id);
    if (execute_counting(*session, q) > 0) {
        return true;
    }
    // MySQL reports 0 affected rows when nothing actually changed; tell that apart from "missing".
    Query exists("SELECT COUNT(*) FROM seckill_activities WHERE id = ");
    exists.param(activity.id);
    return fetch_integer(*session, exists) > 0;
}

std::optional<domain::SeckillActivity> SqlSeckillRepository::find_activity(std::int64_t id) {
    SessionLease session = db_.lease();
    Query q(kActivitySelect);
    q.sql("WHERE a.id = ").param(id);
    const auto rows = fetch_rows<ActivityRow>(*session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front().to_domain();
}

std::vector<domain::SeckillActivity> SqlSeckillRepository::list_activities(TimePoint since, int limit) {
    SessionLease session = db_.lease();
    Query q(kActivitySelect);
    q.sql("WHERE a.end_time > ").param(to_db_time(since));
    q.sql(" ORDER BY a.start_time DESC, a.id DESC LIMIT ").param(std::max(1, limit));
    std::vector<domain::SeckillActivity> out;
    for (const ActivityRow& row : fetch_rows<ActivityRow>(*session, q)) {
        out.push_back(row.to_domain());
    }
    return out;
}

std::vector<domain::Reservation> SqlSeckillRepository::fulfil(
    std::vector<domain::Reservation> batch,
    TimePoint now,
    TimePoint expires_at,
    const std::function<std::string()>& next_order_no
) {
    if (batch.empty()) {
        return batch;
    }
    return with_retry([&] {
        // A retried attempt starts again from the reservations as they were handed in.
        std::vector<domain::Reservation> attempt = batch;
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        fulfil_in_transaction(session, db_.dialect(), attempt, now, expires_at, next_order_no, orders_);
        tx.commit();
        return attempt;
    });
}

domain::Reservation SqlSeckillRepository::record_failed(domain::Reservation reservation, TimePoint now) {
    return with_retry([&] {
        domain::Reservation attempt = reservation;
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        Query find(
            "SELECT total_stock - sold, product_id, price_cents, per_user_limit, product_name, product_image "
            "FROM seckill_activities WHERE id = "
        );
        find.param(attempt.activity_id);
        const auto activities = fetch_rows<ActivityStock>(session, find);
        if (activities.empty()) {
            attempt.status = domain::ReservationStatus::kFailed;
            attempt.order_no.clear();
            attempt.fail_reason = kUnknownActivityReason;
            return attempt;
        }
        const auto stored = stored_reservations(session, attempt.activity_id, {attempt.user_id});
        if (const auto it = stored.find(UserSeq{attempt.user_id, attempt.seq}); it != stored.end()) {
            adopt(attempt, it->second);
            if (orders_ == FlashSaleOrders::kToOutbox) {
                std::vector<domain::Reservation> one{attempt};
                show_waiting_orders_as_pending(session, one);
                attempt = one.front();
            }
            return attempt;
        }
        attempt.product_id = activities.front().product_id;
        if (attempt.price <= 0) {
            attempt.price = activities.front().price;
        }
        attempt.status = domain::ReservationStatus::kFailed;
        attempt.order_no.clear();
        std::vector<domain::Reservation> rows{attempt};
        insert_reservations_prepared(session, rows, {0}, to_db_time(now));
        tx.commit();
        return attempt;
    });
}

std::optional<domain::Reservation> SqlSeckillRepository::release_order(const std::string& order_no, TimePoint now) {
    return with_retry([&] {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        auto released = release_flash_sale_unit(session, order_no, now);
        tx.commit();
        return released;
    });
}

ports::ActivityTally SqlSeckillRepository::tally(std::int64_t activity_id) {
    SessionLease session = db_.lease();
    Query q("SELECT user_id, SUM(CASE WHEN status IN (");
    q.param(status_value(domain::ReservationStatus::kPending)).sql(", ");
    q.param(status_value(domain::ReservationStatus::kSucceeded)).sql(") THEN 1 ELSE 0 END), MAX(seq) ");
    q.sql("FROM seckill_reservations WHERE activity_id = ").param(activity_id);
    q.sql(" GROUP BY user_id ORDER BY user_id");
    ports::ActivityTally tally;
    for (const TallyRow& row : fetch_rows<TallyRow>(*session, q)) {
        tally.taken += row.held;
        tally.shoppers.push_back({row.user_id, static_cast<int>(row.held), static_cast<int>(row.issued)});
    }
    return tally;
}

std::vector<domain::Reservation> SqlSeckillRepository::reservations_of(std::int64_t activity_id, std::int64_t user_id) {
    SessionLease session = db_.lease();
    Query q(kReservationSelect);
    q.sql("WHERE activity_id = ").param(activity_id).sql(" AND user_id = ").param(user_id);
    q.sql(" ORDER BY seq DESC");
    std::vector<domain::Reservation> out;
    for (const ReservationRow& row : fetch_rows<ReservationRow>(*session, q)) {
        out.push_back(row.to_domain());
    }
    if (orders_ == FlashSaleOrders::kToOutbox) {
        show_waiting_orders_as_pending(*session, out);
    }
    return out;
}

std::int64_t SqlSeckillRepository::sold(std::int64_t activity_id) {
    SessionLease session = db_.lease();
    Query q("SELECT sold FROM seckill_activities WHERE id = ");
    q.param(activity_id);
    return fetch_integer(*session, q);
}

}  // namespace gomall::adapters::sql
