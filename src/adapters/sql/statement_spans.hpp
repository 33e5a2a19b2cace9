// A client span per SQL statement, parented to the span the leasing thread works for (the HTTP
// request, a consumer's delivery, a job's run). SOCI's logger hook says when a statement starts;
// it ends when the next one on the session starts or the session goes back to the pool, so its
// time includes reading its rows. Nothing is traced without an active, sampled trace (startup,
// migrations), and then nothing is allocated either.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <soci/logger.h>

#include "ports/tracer.hpp"

namespace gomall::adapters::sql {

/// "SELECT products", "INSERT orders", "UPDATE seckill_stock", "BEGIN": the statement's verb and,
/// when it is plainly written, its table (OpenTelemetry's "{operation} {target}"), without values.
std::string statement_span_name(std::string_view query);

/// The spans of one pooled session. Used only by the thread that holds its lease.
class StatementSpans {
public:
    /// `system` is OpenTelemetry's db.system.name ("sqlite", "mysql"); `database` the schema or file.
    StatementSpans(ports::Tracer& tracer, std::string system, std::string database);

    /// Ends the previous statement's span, opens this one's.
    void statement_started(const std::string& query);
    /// The lease is over: ends the open span, failed when the lease ended in an exception.
    void lease_ended(bool failed);

private:
    void end_open(bool failed);

    ports::Tracer& tracer_;
    const std::string system_;
    const std::string database_;
    ports::Span open_;
    int exceptions_at_start_ = 0;  // std::uncaught_exceptions() when the open span started
};

/// The SOCI logger that feeds a session's StatementSpans (SOCI clones loggers; clones share it).
class StatementSpanLogger final : public soci::logger_impl {
public:
    explicit StatementSpanLogger(std::shared_ptr<StatementSpans> spans) : spans_(std::move(spans)) {}
    void start_query(const std::string& query) override { spans_->statement_started(query); }

private:
    soci::logger_impl* do_clone() const override { return new StatementSpanLogger(spans_); }

    std::shared_ptr<StatementSpans> spans_;
};

}  // namespace gomall::adapters::sql
