// The trace id of the request the current thread is serving, for log lines.
// Handlers run synchronously on one thread, so a thread-local is exact and needs no plumbing.
#pragma once

#include <string>
#include <string_view>

namespace gomall {

class LogContext {
public:
    static std::string_view trace_id() { return current(); }

    /// Sets the trace id for the lifetime of the scope, restoring the previous one after.
    class Scope {
    public:
        explicit Scope(std::string_view trace_id) : previous_(current()) { current() = trace_id; }
        ~Scope() { current() = previous_; }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        std::string previous_;
    };

private:
    static std::string& current() {
        thread_local std::string id;
        return id;
    }
};

}  // namespace gomall
