// Accounts in SQL. Username uniqueness is the unique index's job, so racing registrations
// cannot both succeed; the losing insert is recognised and reported as "taken".
#include "adapters/sql/user_repository.hpp"

#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

constexpr const char* kUserColumns =
    "SELECT id, username, email, phone, password_hash, role, created_at, updated_at "
    "FROM users ";

struct UserRow {
    long long id = 0;
    std::string username, email, phone, password_hash;
    int role = 1;
    std::string created_at, updated_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(username));
        st.exchange(soci::into(email));
        st.exchange(soci::into(phone));
        st.exchange(soci::into(password_hash));
        st.exchange(soci::into(role));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }

    domain::User to_domain() const {
        domain::User u;
        u.id = id;
        u.username = username;
        u.email = email;
        u.phone = phone;
        u.password_hash = password_hash;
        u.role = static_cast<domain::Role>(role);
        u.created_at = from_db_time(created_at);
        u.updated_at = from_db_time(updated_at);
        return u;
    }
};

std::optional<domain::User> first_user(soci::session& session, Query& query) {
    auto rows = fetch_rows<UserRow>(session, query);
    if (rows.empty()) {
        return std::nullopt;
    }
    return rows.front().to_domain();
}

bool username_exists(soci::session& session, const std::string& username) {
    Query q("SELECT COUNT(*) FROM users WHERE username = ");
    q.param(username);
    return fetch_integer(session, q) > 0;
}

long long insert_user(soci::session& session, const domain::NewUser& user, int role, const std::string& now) {
    soci::statement st =
        (session.prepare << "INSERT INTO users (username, email, phone, password_hash, role, created_at, updated_at) "
                            "VALUES (:u, :e, :ph, :h, :r, :c, :m)",
         soci::use(user.username),
         soci::use(user.email),
         soci::use(user.phone),
         soci::use(user.password_hash),
         soci::use(role),
         soci::use(now),
         soci::use(now));
    st.execute(true);
    long long id = 0;
    session.get_last_insert_id("users", id);
    return id;
}

}  // namespace

std::optional<std::int64_t> SqlUserRepository::create(const domain::NewUser& user, TimePoint now) {
    SessionLease session = db_.lease();
    try {
        return insert_user(*session, user, static_cast<int>(user.role), to_db_time(now));
    } catch (const soci::soci_error&) {
        // Error codes differ per driver; asking whether the name now exists tells a duplicate
        // apart from a real failure on both.
        if (username_exists(*session, user.username)) {
            return std::nullopt;
        }
        throw;
    }
}

std::optional<domain::User> SqlUserRepository::find_by_id(std::int64_t id) {
    SessionLease session = db_.lease();
    Query q(kUserColumns);
    q.sql("WHERE id = ").param(id);
    return first_user(*session, q);
}

std::optional<domain::User> SqlUserRepository::find_by_username(std::string_view username) {
    SessionLease session = db_.lease();
    Query q(kUserColumns);
    q.sql("WHERE username = ").param(std::string(username));
    return first_user(*session, q);
}

void SqlUserRepository::update_password(std::int64_t id, const std::string& password_hash, TimePoint now) {
    SessionLease session = db_.lease();
    Query q("UPDATE users SET password_hash = ");
    q.param(password_hash).sql(", updated_at = ").param(to_db_time(now)).sql(" WHERE id = ").param(id);
    execute_counting(*session, q);
}

void SqlUserRepository::upsert_admin(const domain::NewUser& admin, TimePoint now) {
    with_retry([&] {
        SessionLease session = db_.lease();
        Transaction tx(*session, db_.dialect());
        const std::string stamp = to_db_time(now);
        if (username_exists(*session, admin.username)) {
            Query q("UPDATE users SET role = ");
            q.param(static_cast<long long>(domain::Role::kAdmin))
                .sql(", password_hash = ")
                .param(admin.password_hash)
                .sql(", updated_at = ")
                .param(stamp)
                .sql(" WHERE username = ")
                .param(admin.username);
            execute_counting(*session, q);
        } else {
            insert_user(*session, admin, static_cast<int>(domain::Role::kAdmin), stamp);
        }
        tx.commit();
        return 0;
    });
}

std::int64_t SqlUserRepository::count_admins() {
    SessionLease session = db_.lease();
    Query q("SELECT COUNT(*) FROM users WHERE role = ");
    q.param(static_cast<long long>(domain::Role::kAdmin));
    return fetch_integer(*session, q);
}

}  // namespace gomall::adapters::sql
