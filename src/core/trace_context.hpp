// W3C trace context (https://www.w3.org/TR/trace-context/): the trace and span ids of a span and
// its sampled flag, read from and written to a `traceparent` header, and the thread's active span.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gomall {

using TraceId = std::array<std::uint8_t, 16>;
using SpanId = std::array<std::uint8_t, 8>;

struct TraceContext {
    TraceId trace_id{};
    SpanId span_id{};
    bool sampled = false;

    /// Both ids non-zero (an all-zero id means "none" in W3C trace context).
    [[nodiscard]] bool valid() const;
};

/// The context in a `traceparent` header, or nullopt when it is malformed: wrong length or
/// separators, upper-case or non-hex digits, version ff, an all-zero id, or a version-00 header
/// with anything after the flags. Later versions may append fields after a '-'.
std::optional<TraceContext> parse_traceparent(std::string_view header);
/// "00-<trace>-<span>-<01 if sampled, else 00>".
std::string format_traceparent(const TraceContext& context);

/// Lower-case hex of the bytes.
std::string to_hex(const std::uint8_t* bytes, std::size_t size);
inline std::string to_hex(const TraceId& id) {
    return to_hex(id.data(), id.size());
}
inline std::string to_hex(const SpanId& id) {
    return to_hex(id.data(), id.size());
}

/// Random non-zero ids, from a per-thread generator (no lock, no allocation).
TraceId random_trace_id();
SpanId random_span_id();

/// The span the current thread works for, so that code several calls below a handler (a SQL
/// statement) or a consumer can parent its spans without the context being passed down. Only
/// for synchronous work: a coroutine that suspends must carry its context explicitly.
class ActiveTrace {
public:
    static const TraceContext& current() { return slot(); }

    /// Makes `context` current for the scope's lifetime, restoring the previous one after.
    class Scope {
    public:
        explicit Scope(const TraceContext& context) : previous_(slot()) { slot() = context; }
        ~Scope() { slot() = previous_; }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        TraceContext previous_;
    };

    /// A coroutine cannot hold a Scope across co_await (it suspends, and may resume on another
    /// thread). It hands its context to the asynchronous call it is about to await instead; that
    /// call takes it (take_handoff) while it is being started, before anything suspends. Held
    /// across the co_await; whatever nobody took is cleared when it ends, on whichever thread the
    /// coroutine resumed (no other coroutine's handoff can be pending there between two steps).
    class Handoff {
    public:
        explicit Handoff(const TraceContext& context) { handoff() = context; }
        ~Handoff() { handoff() = TraceContext{}; }
        Handoff(const Handoff&) = delete;
        Handoff& operator=(const Handoff&) = delete;
    };
    /// The context handed to the call being started (cleared, so it is taken once), or an
    /// invalid one when none was.
    static TraceContext take_handoff() {
        const TraceContext taken = handoff();
        handoff() = TraceContext{};
        return taken;
    }

private:
    static TraceContext& slot() {
        thread_local TraceContext context;
        return context;
    }
    static TraceContext& handoff() {
        thread_local TraceContext context;
        return context;
    }
};

}  // namespace gomall
