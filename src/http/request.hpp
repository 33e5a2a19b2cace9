// Transport-neutral HTTP request and response seen by middleware and handlers.
// The server converts Beast messages to and from these, so only server.cpp includes Beast.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/user.hpp"
#include "ports/tracer.hpp"

namespace gomall::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view method_name(Method m);
Method parse_method(std::string_view name);

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
    Method method = Method::kGet;
    std::string target;  // raw request target, e.g. "/api/product?page=2"
    std::string path;    // percent-decoded path without the query
    Fields query;        // percent-decoded query parameters, in order
    Fields headers;      // names lower-cased
    std::string body;
    Fields path_params;  // filled by the router, e.g. {"id", "42"}
    std::string client_ip;
    std::string trace_id;                      // 32 hex chars, from traceparent or generated
    std::string span_id;                       // this server's span, 16 hex chars
    ports::Span span;                          // this server's span (recorded when sampled)
    std::optional<domain::AccessClaims> auth;  // set by the authentication middleware
    /// Set by the pipeline, for metrics: the index of the matched route in Router::routes(), or
    /// kNoRouteIndex, or kStaticFileIndex when the request went to the web UI's files.
    int route_index = kNoRouteIndex;
    /// When the server had read the whole request (latency is measured from here); unset for
    /// requests built without a server (tests), which then measure from the pipeline's start.
    std::chrono::steady_clock::time_point received_at;

    static constexpr int kNoRouteIndex = -1;
    static constexpr int kStaticFileIndex = -2;

    /// First header with this (lower-case) name, or empty.
    std::string_view header(std::string_view lower_name) const;
    /// First query parameter with this name.
    std::optional<std::string_view> query_param(std::string_view name) const;
    /// Path parameter captured by the router (":id" -> "id"), or empty.
    std::string_view param(std::string_view name) const;
    /// Signed-in user id; only valid on routes registered with auth.
    std::int64_t user_id() const { return auth ? auth->user_id : 0; }
};

/// Fills `path` (percent-decoded once) and `query` of `req` from its raw `target`; false for a
/// target that is not origin-form ("/path?query").
bool parse_target(Request& req);

/// A server-sent-events stream. The server polls it on an I/O thread every few hundred
/// milliseconds and writes whatever it returns, until it is finished, the client goes away or the
/// stream's time limit passes. Implementations must not block.
class EventStream {
public:
    virtual ~EventStream() = default;
    /// Complete SSE frames ready now ("event: result\ndata: {...}\n\n"), or "" when nothing is new.
    virtual std::string poll() = 0;
    /// True once everything has been said; the server then closes the response.
    virtual bool finished() const = 0;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    Fields headers;
    std::string body;
    std::shared_ptr<EventStream> events;  // when set: a text/event-stream response; `body` is sent first

    void set_header(std::string name, std::string value);
    std::string_view header(std::string_view name) const;  // case-insensitive
};

}  // namespace gomall::http
