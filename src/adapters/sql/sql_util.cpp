// Helpers shared by the SQL repositories.
#include "adapters/sql/sql_util.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "core/utf8.hpp"

namespace gomall::adapters::sql {

std::string to_db_time(TimePoint t) {
    return format_sql_utc(t);
}

TimePoint from_db_time(const std::string& text) {
    // MySQL may append fractional seconds to DATETIME(n) columns; only the first 19 characters matter.
    const auto parsed = parse_sql_utc(std::string_view(text).substr(0, 19));
    if (!parsed) {
        throw std::runtime_error("malformed time value in the database: \"" + text + "\"");
    }
    return *parsed;
}

std::string escape_like(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 8);
    for (char c : text) {
        if (c == '\\' || c == '%' || c == '_') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

const char* like_escape_clause(Dialect dialect) {
    return dialect == Dialect::kMysql ? " ESCAPE '\\\\'" : " ESCAPE '\\'";
}

const char* insert_ignore_into(Dialect dialect) {
    return dialect == Dialect::kSqlite ? "INSERT OR IGNORE INTO " : "INSERT IGNORE INTO ";
}

std::string Query::next_placeholder() {
    return ":p" + std::to_string(++count_);
}

Query& Query::param(long long value) {
    text_ += next_placeholder();
    long long& stored = ints_.emplace_back(value);
    binders_.emplace_back([&stored](soci::statement& st) { st.exchange(soci::use(stored)); });
    return *this;
}

Query& Query::param(std::string value) {
    text_ += next_placeholder();
    std::string& stored = strings_.emplace_back(std::move(value));
    binders_.emplace_back([&stored](soci::statement& st) { st.exchange(soci::use(stored)); });
    return *this;
}

void Query::bind(soci::statement& statement) {
    for (auto& binder : binders_) {
        binder(statement);
    }
}

long long execute_counting(soci::session& session, Query& query) {
    soci::statement statement(session);
    query.bind(statement);
    statement.alloc();
    statement.prepare(query.text());
    statement.define_and_bind();
    statement.execute(true);
    return statement.get_affected_rows();
}

long long fetch_integer(soci::session& session, Query& query, long long fallback) {
    long long value = 0;
    soci::indicator ind = soci::i_ok;
    soci::statement statement(session);
    query.bind(statement);
    statement.exchange(soci::into(value, ind));
    statement.alloc();
    statement.prepare(query.text());
    statement.define_and_bind();
    if (!statement.execute(true) || ind != soci::i_ok) {
        return fallback;
    }
    return value;
}

std::string clip(const std::string& text, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence(std::string_view(text).substr(i));
        const std::size_t take = n == 0 ? 1 : n;
        if (out.size() + take > max_bytes) {
            break;  // never split a character
        }
        if (n == 0) {
            out.push_back('?');
        } else {
            out.append(text, i, n);
        }
        i += take;
    }
    return out;
}

}  // namespace gomall::adapters::sql
