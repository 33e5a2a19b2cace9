#include "http/pipeline.hpp"

#include <algorithm>
#include <random>

#include <spdlog/spdlog.h>

#include "core/log_context.hpp"
#include "core/log_escape.hpp"
#include "core/unavailable.hpp"
#include "http/envelope.hpp"

namespace gomall::http {
namespace {

constexpr std::size_t kMaxLoggedAgent = 256;

bool is_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

/// The answer to a handler that threw: 503 when a dependency is down (the client should retry),
/// otherwise 500 with the trace id to quote. The exception text goes to the log, never to the client.
Response exception_response(const Request& req, std::string_view route, const std::exception& e) {
    if (const auto* unavailable = dynamic_cast<const DependencyUnavailable*>(&e); unavailable != nullptr) {
        spdlog::warn("{} {} answered 503: {}", method_name(req.method), route, e.what());
        Response res = error_response(
            req, ErrorCode::kUnavailable, "a service the shop depends on is unavailable; try again in a moment"
        );
        res.set_header("Retry-After", std::to_string(std::max<long long>(1, unavailable->retry_after().count())));
        return res;
    }
    spdlog::error("unhandled exception in {} {}: {}", method_name(req.method), route, e.what());
    return error_response(req, ErrorCode::kInternal, "internal error; quote trace_id " + req.trace_id);
}

std::string_view bearer_token(const Request& req) {
    const auto value = req.header("authorization");
    constexpr std::string_view kPrefix = "Bearer ";
    if (value.size() <= kPrefix.size()) {
        return {};
    }
    std::string prefix(value.substr(0, kPrefix.size()));
    std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return std::tolower(c); });
    return prefix == "bearer " ? value.substr(kPrefix.size()) : std::string_view{};
}

void add_security_headers(Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "strict-origin-when-cross-origin");
    if (res.content_type.rfind("text/html", 0) == 0) {
        // The UI loads nothing from other hosts; inline styles are used by React for dynamic values.
        res.set_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"
        );
    }
    if (res.content_type.rfind("application/json", 0) == 0 && res.header("Cache-Control").empty()) {
        res.set_header("Cache-Control", "no-store");
    }
}

}  // namespace

std::optional<std::string> trace_id_from_traceparent(std::string_view header) {
    // version(2)-trace(32)-parent(16)-flags(2)
    if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') {
        return std::nullopt;
    }
    const auto version = header.substr(0, 2);
    const auto trace = header.substr(3, 32);
    const auto parent = header.substr(36, 16);
    const auto flags = header.substr(53, 2);
    if (!is_hex(version) || version == "ff" || !is_hex(trace) || !is_hex(parent) || !is_hex(flags) || all_zero(trace) ||
        all_zero(parent) || (version == "00" && header.size() != 55)) {
        return std::nullopt;
    }
    return std::string(trace);
}

std::string random_hex(std::size_t bytes) {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    std::uint64_t pool = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
        if (i % 8 == 0) {
            pool = engine();
        }
        const auto b = static_cast<unsigned>(pool & 0xffU);
        pool >>= 8U;
        out += kDigits[b >> 4U];
        out += kDigits[b & 0xfU];
    }
    return out;
}

Pipeline::Pipeline(
    const Router& router,
    const ports::AccessTokenVerifier& verifier,
    const StaticFiles* static_files,
    PipelineSettings settings,
    HttpMetrics* metrics
)
    : router_(router),
      verifier_(verifier),
      static_files_(static_files),
      settings_(std::move(settings)),
      metrics_(metrics),
      tracing_(settings_.tracer != nullptr ? *settings_.tracer : no_tracer_, router) {}

std::size_t Pipeline::body_limit_for(Method method, std::string_view path) const {
    const auto match = router_.match(method, path);
    if (match.kind == RouteMatch::Kind::kFound && match.route->options.body_limit > 0) {
        return match.route->options.body_limit;
    }
    return settings_.default_body_limit;
}

std::optional<Response> Pipeline::try_inline(Request& req) const {
    auto d = run(req, Mode::kInline);
    return std::move(d.response);
}

Pipeline::Dispatch Pipeline::dispatch(Request& req) const {
    return run(req, Mode::kInline);
}

Response Pipeline::handle(Request& req) const {
    auto d = run(req, Mode::kBlocking);
    if (d.async_route != nullptr) {
        // A coroutine route reached the blocking entry point (a caller without an event loop).
        return transport_error(req, ErrorCode::kInternal, "route needs the event loop");
    }
    return std::move(*d.response);  // the blocking mode always answers
}

Response Pipeline::finish_async(
    Request& req,
    std::optional<Response> res,
    const std::exception* error,
    std::chrono::steady_clock::time_point started
) const {
    LogContext::Scope log_scope(req.trace_id);
    Response out;
    if (error != nullptr) {
        out = exception_response(req, log_quoted(req.path), *error);
    } else if (!res) {
        spdlog::error("no response from {} {}", method_name(req.method), log_quoted(req.path));
        out = error_response(req, ErrorCode::kInternal, "internal error; quote trace_id " + req.trace_id);
    } else {
        out = std::move(*res);
    }
    apply_cors(req, out);
    finish(req, out, started);
    return out;
}

Response Pipeline::transport_error(Request& req, ErrorCode code, std::string message) const {
    const auto started = std::chrono::steady_clock::now();
    if (req.trace_id.empty()) {
        tracing_.start(req);
    }
    Response res = error_response(req, code, std::move(message));
    finish(req, res, started);
    return res;
}

bool Pipeline::origin_allowed(std::string_view origin) const {
    return std::any_of(settings_.cors_origins.begin(), settings_.cors_origins.end(), [&](const std::string& o) {
        return o == "*" || o == origin;
    });
}

void Pipeline::apply_cors(const Request& req, Response& res) const {
    const auto origin = req.header("origin");
    if (origin.empty() || !origin_allowed(origin)) {
        return;
    }
    res.set_header("Access-Control-Allow-Origin", std::string(origin));
    res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Expose-Headers", "traceparent");
}

Pipeline::Dispatch Pipeline::run(Request& req, Mode mode) const {
    const auto started = std::chrono::steady_clock::now();
    auto answered_with = [started](Response r) {
        Dispatch d;
        d.response = std::move(r);
        d.started = started;
        return d;
    };
    auto not_here = [started] {
        Dispatch d;
        d.started = started;
        return d;
    };
    if (req.trace_id.empty()) {
        tracing_.start(req);
    }
    LogContext::Scope log_scope(req.trace_id);
    ActiveTrace::Scope trace_scope(req.span.context());  // SQL spans below the handler join this request

    // Rate limits before anything else, so a refused request costs no routing, token check or handler.
    // Once per request: one handed on to the blocking pool comes back here in blocking mode.
    if (mode == Mode::kInline && settings_.rate_limits != nullptr) {
        if (auto refused = settings_.rate_limits->check(req)) {
            apply_cors(req, *refused);
            finish(req, *refused, started);
            return answered_with(std::move(*refused));
        }
    }

    // CORS preflight: answered here, before routing, for allowed origins only.
    if (req.method == Method::kOptions && !req.header("access-control-request-method").empty()) {
        Response res;
        res.status = 204;
        res.content_type.clear();
        if (origin_allowed(req.header("origin"))) {
            res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, traceparent");
            res.set_header("Access-Control-Max-Age", "600");
        }
        apply_cors(req, res);
        finish(req, res, started);
        return answered_with(std::move(res));
    }

    const auto match = router_.match(req.method, req.path);
    if (match.kind != RouteMatch::Kind::kFound) {
        const bool may_be_file = (req.method == Method::kGet || req.method == Method::kHead) &&
                                 static_files_ != nullptr && req.path.rfind("/api/", 0) != 0;
        if (may_be_file && mode == Mode::kInline) {
            return not_here();  // reading files blocks
        }
        Response res;
        if (may_be_file) {
            req.route_index = Request::kStaticFileIndex;
            if (auto file = static_files_->serve(req)) {
                res = std::move(*file);
            } else {
                res = error_response(req, ErrorCode::kNotFound, "no such route or file: " + req.path);
            }
        } else if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
            res = error_response(
                req,
                ErrorCode::kMethodNotAllowed,
                "method " + std::string(method_name(req.method)) + " is not allowed here; use " + match.allow
            );
            res.set_header("Allow", match.allow);
        } else {
            res = error_response(
                req, ErrorCode::kNotFound, "no such route: " + std::string(method_name(req.method)) + " " + req.path
            );
        }
        apply_cors(req, res);
        finish(req, res, started);
        return answered_with(std::move(res));
    }

    const Route& route = *match.route;
    const bool async_route = static_cast<bool>(route.options.async_handler);
    if (mode == Mode::kInline && !route.options.inline_only && !route.options.fast_path && !async_route) {
        return not_here();
    }
    req.path_params = match.params;
    req.route_index = static_cast<int>(match.route - router_.routes().data());

    Response res;
    bool answered = false;
    if (route.options.auth) {
        const auto token = bearer_token(req);
        if (token.empty()) {
            res = error_response(req, ErrorCode::kUnauthorized, "sign in first: missing bearer token");
            answered = true;
        } else {
            auto claims = verifier_.verify(token);
            if (!claims.ok()) {
                res = error_response(req, claims.error());
                answered = true;
            } else if (route.options.admin && claims->role != domain::Role::kAdmin) {
                res = error_response(req, ErrorCode::kForbidden, "administrators only");
                answered = true;
            } else {
                req.auth = std::move(claims.value());
            }
        }
    }

    if (!answered) {
        auto to_coroutine = [&] {
            Dispatch d;
            d.async_route = &route;
            d.started = started;
            return d;
        };
        try {
            // A fast path answers what memory alone can; the rest goes to the route's coroutine, or
            // (a blocking route) to the blocking pool.
            if (mode == Mode::kInline && route.options.fast_path) {
                auto fast = route.options.fast_path(req);
                if (!fast) {
                    return async_route ? to_coroutine() : not_here();
                }
                res = std::move(*fast);
            } else if (async_route) {
                return to_coroutine();
            } else {
                res = route.handler(req);
            }
        } catch (const std::exception& e) {
            res = exception_response(req, route.pattern, e);
        } catch (...) {
            spdlog::error("unhandled non-standard exception in {} {}", method_name(req.method), route.pattern);
            res = error_response(req, ErrorCode::kInternal, "internal error; quote trace_id " + req.trace_id);
        }
    }
    apply_cors(req, res);
    finish(req, res, started);
    return answered_with(std::move(res));
}

void Pipeline::finish(Request& req, Response& res, std::chrono::steady_clock::time_point started) const {
    // Room for the security headers and traceparent at once, instead of the vector growing 1, 2, 4, 8.
    res.headers.reserve(res.headers.size() + 6);
    add_security_headers(res);
    res.set_header("traceparent", RequestTracing::response_traceparent(req));
    tracing_.finish(req, res);
    if (metrics_ != nullptr) {
        // From the moment the server had the whole request, so time queued for the blocking pool counts.
        const auto since = req.received_at.time_since_epoch().count() != 0 ? req.received_at : started;
        const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - since;
        metrics_->record(req, res.status, res.body.size(), seconds.count());
    }
    // The escaped fields cost allocations: build them only when the line will be written.
    if (settings_.access_log && spdlog::should_log(spdlog::level::info)) {
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        // Only the path (never the query, body, or a header but the user agent) is logged. Fields
        // a client chooses are quoted and escaped, so none can end the line or forge a field.
        spdlog::info(
            "access method={} path={} status={} bytes={} duration_us={} client={} user={} agent={}",
            method_name(req.method),
            log_quoted(req.path),
            res.status,
            res.body.size(),
            micros,
            log_quoted(req.client_ip),
            req.user_id(),
            log_quoted(req.header("user-agent").substr(0, kMaxLoggedAgent))
        );
    }
}

}  // namespace gomall::http
