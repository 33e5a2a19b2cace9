// The HTTP request's server span: opened when the pipeline first sees a request (child of the
// client's traceparent, if it sent a valid one), named after the route template, given the
// standard HTTP attributes and ended when the answer is ready. One object the pipeline calls at
// start and at finish.
#pragma once

#include <string>

#include "http/request.hpp"
#include "http/router.hpp"
#include "ports/tracer.hpp"

namespace gomall::http {

class RequestTracing {
public:
    /// `tracer` and `router` must outlive this object.
    RequestTracing(ports::Tracer& tracer, const Router& router) : tracer_(tracer), router_(router) {}

    /// Opens the request's span and sets req.trace_id / req.span_id from it.
    void start(Request& req) const;
    /// Names the span, records the answer and ends it. A 5xx marks it failed; a 4xx does not
    /// (the server did its job: the client asked for something wrong).
    static void finish(Request& req, const Response& res, const Router& router);
    void finish(Request& req, const Response& res) const { finish(req, res, router_); }

    /// The traceparent to answer with: this server's span and its sampling decision.
    static std::string response_traceparent(const Request& req);

private:
    ports::Tracer& tracer_;
    const Router& router_;
};

}  // namespace gomall::http
