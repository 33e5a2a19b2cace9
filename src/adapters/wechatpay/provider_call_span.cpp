// Client spans for calls to WeChat Pay (OpenTelemetry HTTP client conventions).
#include "adapters/wechatpay/provider_call_span.hpp"

namespace gomall::wechatpay {

std::string url_without_query(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::string(url);
    }
    const auto authority_start = scheme_end + 3;
    const auto authority_end = url.find('/', authority_start);
    const auto authority = url.substr(authority_start, authority_end - authority_start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) {
        return std::string(url);
    }
    std::string out(url.substr(0, authority_start));
    out += authority.substr(at + 1);
    if (authority_end != std::string_view::npos) {
        out += url.substr(authority_end);
    }
    return out;
}

ProviderCallSpan::ProviderCallSpan(ports::Tracer* tracer, const HttpRequest& request) {
    const auto& parent = ActiveTrace::current();
    if (tracer == nullptr || !parent.valid() || !parent.sampled) {
        return;
    }
    span_ = tracer->start(request.method, ports::SpanKind::kClient, parent);
    if (span_.recording()) {
        span_.set_attribute("http.request.method", request.method);
        span_.set_attribute("url.full", url_without_query(request.url));
        span_.set_attribute("gomall.payment.provider", "wechatpay");
    }
}

void ProviderCallSpan::finish(const std::variant<HttpResponse, HttpFailure>& outcome) {
    if (!span_.recording()) {
        return;
    }
    if (const auto* failure = std::get_if<HttpFailure>(&outcome)) {
        span_.set_attribute("error.type", "transport");
        span_.set_error(failure->message);
        return;
    }
    const int status = std::get<HttpResponse>(outcome).status;
    span_.set_attribute("http.response.status_code", status);
    if (status >= 500) {
        span_.set_attribute("error.type", std::to_string(status));
        span_.set_error("HTTP " + std::to_string(status));
    }
}

}  // namespace gomall::wechatpay
