// Small helpers shared by the SQL repositories: time conversion, LIKE escaping, and a query
// builder that keeps every value bound (never spliced into the SQL text).
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/database.hpp"
#include "core/time.hpp"

namespace gomall::adapters::sql {

/// Storage form of a time point (UTC "YYYY-MM-DD HH:MM:SS").
std::string to_db_time(TimePoint t);
/// Parses a stored time; throws std::runtime_error on a malformed value (a schema bug, not user input).
TimePoint from_db_time(const std::string& text);

/// Escapes \, % and _ with a backslash so the text matches literally inside LIKE '%...%'.
std::string escape_like(std::string_view text);
/// " ESCAPE '\'" spelled for the dialect: MySQL treats backslash as an escape inside string literals too.
const char* like_escape_clause(Dialect dialect);
/// "INSERT IGNORE INTO " or SQLite's "INSERT OR IGNORE INTO ": a row whose key exists is skipped,
/// and the affected-row count says which happened. Claims a key without reading for it first (on
/// MySQL a locking read of a missing key takes a gap lock, and two such claims deadlock).
const char* insert_ignore_into(Dialect dialect);

/// SQL text built piece by piece; every value goes in through param(), which appends a
/// unique placeholder and remembers the value, so text order and bind order always agree.
class Query {
public:
    Query() = default;
    explicit Query(std::string_view text) : text_(text) {}
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& sql(std::string_view fragment) {
        text_ += fragment;
        return *this;
    }
    Query& param(long long value);
    Query& param(std::string value);

    [[nodiscard]] const std::string& text() const { return text_; }
    /// Exchanges the remembered values with `statement`, in placeholder order.
    void bind(soci::statement& statement);

private:
    std::string next_placeholder();

    std::string text_;
    int count_ = 0;
    std::deque<long long> ints_;  // deque: bound references must stay valid while more values are added
    std::deque<std::string> strings_;
    std::vector<std::function<void(soci::statement&)>> binders_;
};

/// Text for a column of `max_bytes` that MariaDB would refuse as it is: cut to the column without
/// splitting a character, and any byte that is not UTF-8 replaced with '?' (a provider's, a
/// forger's or another service's text is kept rather than the record failing to be written).
std::string clip(const std::string& text, std::size_t max_bytes);

/// Runs a data-changing query and returns the number of affected rows.
long long execute_counting(soci::session& session, Query& query);

/// Runs a query and collects every row. `Row` provides `void exchange(soci::statement&)`, which
/// binds its fields as into-elements in column order.
template <class Row>
std::vector<Row> fetch_rows(soci::session& session, Query& query) {
    Row current{};
    soci::statement statement(session);
    query.bind(statement);
    current.exchange(statement);
    statement.alloc();
    statement.prepare(query.text());
    statement.define_and_bind();
    std::vector<Row> rows;
    statement.execute(false);
    while (statement.fetch()) {
        rows.push_back(current);
    }
    return rows;
}

/// Single-column, single-row helper (COUNT, MAX...); `fallback` when the row or value is missing.
long long fetch_integer(soci::session& session, Query& query, long long fallback = 0);

}  // namespace gomall::adapters::sql
