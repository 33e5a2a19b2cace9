// Token bookkeeping in SQL. Rotation relies on a conditional UPDATE (used = 0 -> 1), so of two
// requests presenting the same refresh token only one can win.
#include "adapters/sql/token_repository.hpp"

#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

struct RefreshRow {
    std::string id, secret_hash;
    long long user_id = 0;
    std::string family_id, expires_at;
    int used = 0;
    int revoked = 0;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(secret_hash));
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(family_id));
        st.exchange(soci::into(expires_at));
        st.exchange(soci::into(used));
        st.exchange(soci::into(revoked));
    }
};

struct RevocationRow {
    std::string jti, expires_at;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(jti));
        st.exchange(soci::into(expires_at));
    }
};

struct CutoffRow {
    long long user_id = 0;
    std::string not_before;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(user_id));
        st.exchange(soci::into(not_before));
    }
};

}  // namespace

void SqlTokenRepository::create_refresh(const domain::RefreshToken& token) {
    SessionLease session = db_.lease();
    Query q("INSERT INTO refresh_tokens (id, secret_hash, user_id, family_id, expires_at, used, revoked) VALUES (");
    q.param(token.id)
        .sql(", ")
        .param(token.secret_hash)
        .sql(", ")
        .param(token.user_id)
        .sql(", ")
        .param(token.family_id)
        .sql(", ")
        .param(to_db_time(token.expires_at))
        .sql(", ")
        .param(token.used ? 1LL : 0LL)
        .sql(", ")
        .param(token.revoked ? 1LL : 0LL)
        .sql(")");
    execute_counting(*session, q);
}

std::optional<domain::RefreshToken> SqlTokenRepository::find_refresh(const std::string& id) {
    SessionLease session = db_.lease();
    Query q("SELECT id, secret_hash, user_id, family_id, expires_at, used, revoked FROM refresh_tokens WHERE id = ");
    q.param(id);
    auto rows = fetch_rows<RefreshRow>(*session, q);
    if (rows.empty()) {
        return std::nullopt;
    }
    const RefreshRow& r = rows.front();
    domain::RefreshToken token;
    token.id = r.id;
    token.secret_hash = r.secret_hash;
    token.user_id = r.user_id;
    token.family_id = r.family_id;
    token.expires_at = from_db_time(r.expires_at);
    token.used = r.used != 0;
    token.revoked = r.revoked != 0;
    return token;
}

bool SqlTokenRepository::consume_refresh(const std::string& id) {
    SessionLease session = db_.lease();
    Query q("UPDATE refresh_tokens SET used = 1 WHERE used = 0 AND revoked = 0 AND id = ");
    q.param(id);
    return execute_counting(*session, q) == 1;
}

void SqlTokenRepository::revoke_refresh(const std::string& id) {
    SessionLease session = db_.lease();
    Query q("UPDATE refresh_tokens SET revoked = 1 WHERE id = ");
    q.param(id);
    execute_counting(*session, q);
}

void SqlTokenRepository::revoke_family(const std::string& family_id) {
    SessionLease session = db_.lease();
    Query q("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ");
    q.param(family_id);
    execute_counting(*session, q);
}

void SqlTokenRepository::revoke_all_refresh_of_user(std::int64_t user_id) {
    SessionLease session = db_.lease();
    Query q("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ");
    q.param(user_id);
    execute_counting(*session, q);
}

void SqlTokenRepository::revoke_access(const std::string& jti, TimePoint expires_at) {
    SessionLease session = db_.lease();
    // Revoking twice is harmless: keep the first row.
    Query q(
        db_.dialect() == Dialect::kSqlite ? "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES ("
                                          : "INSERT IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES ("
    );
    q.param(jti).sql(", ").param(to_db_time(expires_at)).sql(")");
    execute_counting(*session, q);
}

void SqlTokenRepository::set_session_cutoff(std::int64_t user_id, TimePoint not_before) {
    SessionLease session = db_.lease();
    Query q("INSERT INTO user_session_cutoffs (user_id, not_before) VALUES (");
    q.param(user_id).sql(", ").param(to_db_time(not_before)).sql(")");
    q.sql(
        db_.dialect() == Dialect::kSqlite ? " ON CONFLICT (user_id) DO UPDATE SET not_before = excluded.not_before"
                                          : " ON DUPLICATE KEY UPDATE not_before = VALUES(not_before)"
    );
    execute_counting(*session, q);
}

std::vector<ports::RevokedAccessToken> SqlTokenRepository::active_revocations(TimePoint now) {
    SessionLease session = db_.lease();
    Query q("SELECT jti, expires_at FROM revoked_access_tokens WHERE expires_at > ");
    q.param(to_db_time(now));
    std::vector<ports::RevokedAccessToken> out;
    for (const RevocationRow& r : fetch_rows<RevocationRow>(*session, q)) {
        out.push_back({r.jti, from_db_time(r.expires_at)});
    }
    return out;
}

std::vector<ports::UserSessionCutoff> SqlTokenRepository::session_cutoffs() {
    SessionLease session = db_.lease();
    Query q("SELECT user_id, not_before FROM user_session_cutoffs");
    std::vector<ports::UserSessionCutoff> out;
    for (const CutoffRow& r : fetch_rows<CutoffRow>(*session, q)) {
        out.push_back({r.user_id, from_db_time(r.not_before)});
    }
    return out;
}

std::int64_t SqlTokenRepository::purge_expired(TimePoint now) {
    SessionLease session = db_.lease();
    const std::string stamp = to_db_time(now);
    Query refresh("DELETE FROM refresh_tokens WHERE expires_at <= ");
    refresh.param(stamp);
    Query access("DELETE FROM revoked_access_tokens WHERE expires_at <= ");
    access.param(stamp);
    return execute_counting(*session, refresh) + execute_counting(*session, access);
}

}  // namespace gomall::adapters::sql
