// The tracing port: services and adapters open spans (an HTTP request, a SQL statement, a job run)
// and know nothing of how or whether they are exported. A span that is not sampled records
// nothing and allocates nothing; it still has a context, so trace ids travel on regardless.
//
//     auto span = tracer.start_child("reconcile activity", ports::SpanKind::kInternal);
//     span.set_attribute("gomall.activity_id", id);  // no-ops unless span.recording()
//     ...
//     span.set_error("redis down");                  // ended when it goes out of scope
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/trace_context.hpp"

namespace gomall::ports {

/// The OTLP numbering, so an exporter can write it as is.
enum class SpanKind : std::uint8_t { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };
enum class SpanStatus : std::uint8_t { kUnset = 0, kOk = 1, kError = 2 };

using AttributeValue = std::variant<std::string, std::int64_t, double, bool>;

/// What a sampled span recorded, handed to the sink when it ends.
struct SpanRecord {
    TraceContext context;
    SpanId parent_span_id{};  // all zero for a root span
    std::string name;
    SpanKind kind = SpanKind::kInternal;
    std::int64_t start_unix_nanos = 0;
    std::int64_t end_unix_nanos = 0;
    std::chrono::steady_clock::time_point started;  // the duration is measured on the steady clock
    std::vector<std::pair<std::string, AttributeValue>> attributes;
    SpanStatus status = SpanStatus::kUnset;
    std::string status_message;
};

/// Where ended spans go (the exporter's queue). submit() must never block or throw: when it
/// cannot take a span it drops it.
class SpanSink {
public:
    virtual ~SpanSink() = default;
    virtual void submit(std::unique_ptr<SpanRecord> span) noexcept = 0;
};

/// One span, ended by end() or its destructor. Move-only. Every setter is a no-op on a span that
/// is not recording, so callers need not check (but may, to skip building a costly value).
class Span {
public:
    /// No span: an invalid context, records nothing.
    Span() = default;
    /// A span that is not recorded but has `context` (so its ids can be propagated).
    explicit Span(const TraceContext& context) : context_(context) {}
    /// A recorded span; `record->context` is its context.
    Span(std::unique_ptr<SpanRecord> record, SpanSink& sink)
        : context_(record->context), record_(std::move(record)), sink_(&sink) {}
    Span(Span&& other) noexcept
        : context_(other.context_), record_(std::move(other.record_)), sink_(std::exchange(other.sink_, nullptr)) {}
    Span& operator=(Span&& other) noexcept {
        if (this != &other) {
            end();
            context_ = other.context_;
            record_ = std::move(other.record_);
            sink_ = std::exchange(other.sink_, nullptr);
        }
        return *this;
    }
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;
    ~Span() { end(); }

    [[nodiscard]] bool recording() const { return record_ != nullptr; }
    [[nodiscard]] const TraceContext& context() const { return context_; }

    void set_name(std::string_view name) {
        if (record_) {
            record_->name.assign(name);
        }
    }
    void set_attribute(std::string_view key, std::string_view value) { add(key, std::string(value)); }
    void set_attribute(std::string_view key, const char* value) { add(key, std::string(value)); }
    void set_attribute(std::string_view key, std::int64_t value) { add(key, value); }
    void set_attribute(std::string_view key, int value) { add(key, static_cast<std::int64_t>(value)); }
    void set_attribute(std::string_view key, double value) { add(key, value); }
    void set_attribute(std::string_view key, bool value) { add(key, value); }
    /// Marks the span failed, with a short reason.
    void set_error(std::string_view message) {
        if (record_) {
            record_->status = SpanStatus::kError;
            record_->status_message.assign(message);
        }
    }
    void set_ok() {
        if (record_ && record_->status == SpanStatus::kUnset) {
            record_->status = SpanStatus::kOk;
        }
    }

    /// Ends the span now (later calls do nothing) and hands its record to the sink.
    void end() noexcept {
        if (record_) {
            const auto elapsed = std::chrono::steady_clock::now() - record_->started;
            record_->end_unix_nanos =
                record_->start_unix_nanos + std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
            sink_->submit(std::move(record_));
        }
    }

private:
    template <class T>
    void add(std::string_view key, T&& value) {
        if (record_) {
            record_->attributes.emplace_back(std::string(key), AttributeValue(std::forward<T>(value)));
        }
    }

    TraceContext context_;
    std::unique_ptr<SpanRecord> record_;
    SpanSink* sink_ = nullptr;
};

/// Starts spans. Implementations decide sampling: a child follows its parent's sampled flag; a
/// root is decided by the implementation. Thread-safe.
class Tracer {
public:
    virtual ~Tracer() = default;

    /// A new span under `parent`, or a new trace when `parent` is not valid.
    virtual Span start(std::string_view name, SpanKind kind, const TraceContext& parent) = 0;

    /// A child of the span the current thread works for (ActiveTrace), or a root when there is none.
    Span start_child(std::string_view name, SpanKind kind) { return start(name, kind, ActiveTrace::current()); }
    /// A new trace (a background job's run).
    Span start_root(std::string_view name, SpanKind kind) { return start(name, kind, TraceContext{}); }
};

/// The context a span that is not recorded gets: its parent's trace and sampled flag (passed on,
/// as W3C asks of a participant that records nothing), or a new unsampled trace.
inline TraceContext unrecorded_child(const TraceContext& parent) {
    TraceContext context;
    if (parent.valid()) {
        context.trace_id = parent.trace_id;
        context.sampled = parent.sampled;
    } else {
        context.trace_id = random_trace_id();
    }
    context.span_id = random_span_id();
    return context;
}

/// Records nothing (tracing off): spans keep ids so trace context still flows through.
class NullTracer final : public Tracer {
public:
    Span start(std::string_view /*name*/, SpanKind /*kind*/, const TraceContext& parent) override {
        return Span(unrecorded_child(parent));
    }
};

}  // namespace gomall::ports
