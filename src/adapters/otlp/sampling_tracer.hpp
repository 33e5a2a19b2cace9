// The tracer used when tracing is on: parent-based sampling (a child follows its parent's sampled
// flag, so a trace is kept or dropped whole), roots sampled by ratio on their trace id, and
// sampled spans recorded into a sink (the exporter's queue).
#pragma once

#include "core/trace_context.hpp"
#include "ports/tracer.hpp"

namespace gomall::adapters::otlp {

/// True for a share `ratio` (0..1) of trace ids, always the same answer for the same id, so
/// every service that samples by ratio keeps the same traces. Reads the id's last 8 bytes (the
/// random part W3C trace context level 2 asks for) as a number.
bool sampled_by_ratio(const TraceId& trace_id, double ratio);

class SamplingTracer final : public ports::Tracer {
public:
    /// `sink` must outlive the tracer and every span it starts.
    SamplingTracer(ports::SpanSink& sink, double ratio);

    ports::Span start(std::string_view name, ports::SpanKind kind, const TraceContext& parent) override;

private:
    ports::SpanSink& sink_;
    double ratio_;
};

}  // namespace gomall::adapters::otlp
