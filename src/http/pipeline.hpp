// The middleware chain every request goes through, in order: trace id (W3C traceparent), rate
// limits (429), CORS, routing (404/405), authentication and admin check, the handler under a panic guard,
// static files for non-API GETs, security headers, access log. Pure: no sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "http/http_metrics.hpp"
#include "http/rate_limit_gate.hpp"
#include "http/request.hpp"
#include "http/request_tracing.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "ports/access_token_verifier.hpp"

namespace gomall::http {

struct PipelineSettings {
    std::vector<std::string> cors_origins;  // exact origins allowed; "*" allows any
    std::size_t default_body_limit = std::size_t{1024} * 1024;
    bool access_log = true;
    ports::Tracer* tracer = nullptr;       // opens each request's server span; none: ids only, nothing recorded
    RateLimitGate* rate_limits = nullptr;  // request-rate limits, checked before routing; none: no limits
};

class Pipeline {
public:
    Pipeline(
        const Router& router,
        const ports::AccessTokenVerifier& verifier,
        const StaticFiles* static_files,
        PipelineSettings settings,
        HttpMetrics* metrics = nullptr  // records every answer when set; must outlive the pipeline
    );

    /// Body limit for the route that (method, path) will reach.
    std::size_t body_limit_for(Method method, std::string_view path) const;

    /// Answers on the calling (I/O) thread when the route never blocks or its fast path hits;
    /// nullopt means: call handle() on the blocking pool.
    std::optional<Response> try_inline(Request& req) const;

    /// What the server does next with a request, decided on the I/O thread without blocking.
    struct Dispatch {
        std::optional<Response> response;    // already answered (error, preflight, inline route, fast-path hit)
        const Route* async_route = nullptr;  // run route->options.async_handler, then finish_async()
        std::chrono::steady_clock::time_point started;
        // neither set: run handle() on the blocking pool
    };
    Dispatch dispatch(Request& req) const;
    /// Completes a coroutine route's response (CORS, security headers, access log). `error` is the
    /// exception the handler threw, if any: it becomes a 500 envelope.
    Response finish_async(
        Request& req,
        std::optional<Response> res,
        const std::exception* error,
        std::chrono::steady_clock::time_point started
    ) const;

    /// Full handling; may block (database, password hashing, files).
    Response handle(Request& req) const;

    /// Builds the error envelope for failures detected by the transport (oversize body, bad request line).
    Response transport_error(Request& req, ErrorCode code, std::string message) const;

private:
    enum class Mode { kInline, kBlocking };
    Dispatch run(Request& req, Mode mode) const;
    void finish(Request& req, Response& res, std::chrono::steady_clock::time_point started) const;
    void apply_cors(const Request& req, Response& res) const;
    bool origin_allowed(std::string_view origin) const;

    const Router& router_;
    const ports::AccessTokenVerifier& verifier_;
    const StaticFiles* static_files_;
    PipelineSettings settings_;
    HttpMetrics* metrics_;
    ports::NullTracer no_tracer_;
    RequestTracing tracing_;
};

/// Reads a W3C traceparent ("00-<32 hex trace>-<16 hex parent>-<2 hex flags>"); nullopt if malformed.
std::optional<std::string> trace_id_from_traceparent(std::string_view header);
/// Random lower-case hex string of `bytes` bytes.
std::string random_hex(std::size_t bytes);

}  // namespace gomall::http
