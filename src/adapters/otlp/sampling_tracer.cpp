// Parent-based, ratio-on-root sampling, and the record a sampled span starts with.
#include "adapters/otlp/sampling_tracer.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

namespace gomall::adapters::otlp {

bool sampled_by_ratio(const TraceId& trace_id, double ratio) {
    if (!(ratio > 0.0)) {  // also NaN
        return false;
    }
    if (ratio >= 1.0) {
        return true;
    }
    std::uint64_t value = 0;
    for (std::size_t i = 8; i < trace_id.size(); ++i) {
        value = (value << 8U) | trace_id[i];
    }
    // 2^64 * ratio, below 2^64 since ratio < 1.
    const auto bound = static_cast<std::uint64_t>(std::ldexp(ratio, 64));
    return value < bound;
}

SamplingTracer::SamplingTracer(ports::SpanSink& sink, double ratio) : sink_(sink), ratio_(ratio) {}

ports::Span SamplingTracer::start(std::string_view name, ports::SpanKind kind, const TraceContext& parent) {
    TraceContext context;
    if (parent.valid()) {
        context.trace_id = parent.trace_id;
        context.sampled = parent.sampled;
    } else {
        context.trace_id = random_trace_id();
        context.sampled = sampled_by_ratio(context.trace_id, ratio_);
    }
    context.span_id = random_span_id();
    if (!context.sampled) {
        return ports::Span(context);
    }
    auto record = std::make_unique<ports::SpanRecord>();
    record->context = context;
    if (parent.valid()) {
        record->parent_span_id = parent.span_id;
    }
    record->name.assign(name);
    record->kind = kind;
    record->started = std::chrono::steady_clock::now();
    record->start_unix_nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    return {std::move(record), sink_};
}

}  // namespace gomall::adapters::otlp
