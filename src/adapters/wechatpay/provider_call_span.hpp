// The client span of one call to the payment provider: method, URL without its query, the
// answer's status, failed on a transport error or a 5xx. Never keys, signatures or bodies.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "adapters/wechatpay/http_client.hpp"
#include "ports/tracer.hpp"

namespace gomall::wechatpay {

/// "scheme://host:port/path" of `url`: the query and fragment dropped (they may carry ids), and
/// any user-info too.
std::string url_without_query(std::string_view url);

/// Opened before the request is sent, under the thread's active span (the HTTP request or the
/// job that called the gateway); nothing is recorded outside a sampled trace or without a tracer.
class ProviderCallSpan {
public:
    ProviderCallSpan(ports::Tracer* tracer, const HttpRequest& request);

    /// Records how the call went; the span ends with this object.
    void finish(const std::variant<HttpResponse, HttpFailure>& outcome);

private:
    ports::Span span_;
};

}  // namespace gomall::wechatpay
