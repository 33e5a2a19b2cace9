// Server spans for HTTP requests (OpenTelemetry HTTP semantic conventions).
#include "http/request_tracing.hpp"

#include <algorithm>

namespace gomall::http {
namespace {

constexpr std::size_t kMaxAgentBytes = 256;

std::string_view scheme_of(const Request& req) {
    const auto proto = req.header("x-forwarded-proto");
    return proto == "https" ? "https" : "http";
}

}  // namespace

void RequestTracing::start(Request& req) const {
    const auto parent = parse_traceparent(req.header("traceparent"));
    req.span = tracer_.start(method_name(req.method), ports::SpanKind::kServer, parent.value_or(TraceContext{}));
    const auto& context = req.span.context();
    req.trace_id = to_hex(context.trace_id);
    req.span_id = to_hex(context.span_id);
}

void RequestTracing::finish(Request& req, const Response& res, const Router& router) {
    auto& span = req.span;
    if (!span.recording()) {
        span.end();
        return;
    }
    const auto method = method_name(req.method);
    const auto& routes = router.routes();
    if (req.route_index >= 0 && static_cast<std::size_t>(req.route_index) < routes.size()) {
        const auto& pattern = routes[static_cast<std::size_t>(req.route_index)].pattern;
        std::string name(method);
        name += ' ';
        name += pattern;
        span.set_name(name);
        span.set_attribute("http.route", pattern);
    }  // otherwise the span keeps the bare method: a raw path would make every URL its own name
    span.set_attribute("http.request.method", method);
    span.set_attribute("url.path", req.path);
    span.set_attribute("url.scheme", scheme_of(req));
    span.set_attribute("http.response.status_code", res.status);
    span.set_attribute("http.response.body.size", static_cast<std::int64_t>(res.body.size()));
    span.set_attribute("client.address", req.client_ip);
    if (const auto agent = req.header("user-agent"); !agent.empty()) {
        span.set_attribute("user_agent.original", agent.substr(0, std::min(agent.size(), kMaxAgentBytes)));
    }
    if (req.auth) {
        span.set_attribute("enduser.id", req.auth->user_id);
    }
    if (res.status >= 500) {
        span.set_error("HTTP " + std::to_string(res.status));
    }
    span.end();
}

std::string RequestTracing::response_traceparent(const Request& req) {
    return format_traceparent(req.span.context());
}

}  // namespace gomall::http
