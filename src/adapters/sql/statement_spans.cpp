// Per-statement SQL spans and their names.
#include "adapters/sql/statement_spans.hpp"

#include <cctype>
#include <exception>

namespace gomall::adapters::sql {
namespace {

bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string_view skip_space(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
        s.remove_prefix(1);
    }
    return s;
}

/// The identifier at the start of `s` (quotes and backticks around it dropped), or empty.
std::string_view word(std::string_view s) {
    s = skip_space(s);
    if (!s.empty() && (s.front() == '`' || s.front() == '"')) {
        s.remove_prefix(1);
    }
    std::size_t n = 0;
    while (n < s.size() && word_char(s[n])) {
        ++n;
    }
    return s.substr(0, n);
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

/// The identifier after the first standalone `keyword` (upper case) in `query`.
std::string_view after_keyword(std::string_view query, std::string_view keyword) {
    const std::string text = upper(query);
    for (auto pos = text.find(keyword); pos != std::string::npos; pos = text.find(keyword, pos + 1)) {
        const bool starts = pos == 0 || !word_char(text[pos - 1]);
        const auto end = pos + keyword.size();
        if (starts && end < text.size() && !word_char(text[end])) {
            return word(query.substr(end));
        }
    }
    return {};
}

}  // namespace

std::string statement_span_name(std::string_view query) {
    const auto verb_text = word(query);
    if (verb_text.empty()) {
        return "SQL";
    }
    std::string verb = upper(verb_text);
    std::string_view target;
    if (verb == "SELECT" || verb == "DELETE") {
        target = after_keyword(query, "FROM");
    } else if (verb == "INSERT" || verb == "REPLACE") {
        target = after_keyword(query, "INTO");
    } else if (verb == "UPDATE") {
        target = word(skip_space(query).substr(verb_text.size()));
    }
    if (target.empty()) {
        return verb;
    }
    return verb + " " + std::string(target);
}

StatementSpans::StatementSpans(ports::Tracer& tracer, std::string system, std::string database)
    : tracer_(tracer), system_(std::move(system)), database_(std::move(database)) {}

void StatementSpans::statement_started(const std::string& query) {
    // A statement that starts while an exception unwinds (the ROLLBACK after a failed one) means
    // the previous statement failed.
    end_open(std::uncaught_exceptions() > exceptions_at_start_);
    const auto& parent = ActiveTrace::current();
    if (!parent.valid() || !parent.sampled) {
        return;
    }
    open_ = tracer_.start(statement_span_name(query), ports::SpanKind::kClient, parent);
    exceptions_at_start_ = std::uncaught_exceptions();
    if (open_.recording()) {
        open_.set_attribute("db.system.name", system_);
        open_.set_attribute("db.namespace", database_);
        open_.set_attribute("db.query.text", query);
    }
}

void StatementSpans::lease_ended(bool failed) {
    end_open(failed);
}

void StatementSpans::end_open(bool failed) {
    if (!open_.recording()) {
        return;
    }
    if (failed) {
        open_.set_error("the statement or its transaction failed");
    }
    open_.end();
    open_ = ports::Span();
}

}  // namespace gomall::adapters::sql
