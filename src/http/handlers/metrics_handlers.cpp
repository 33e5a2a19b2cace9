#include "http/handlers/metrics_handlers.hpp"

#include <openssl/crypto.h>

#include "http/envelope.hpp"

namespace gomall::http {
namespace {

// Compares in time independent of where the first difference is, so the token cannot be found
// byte by byte from response times.
bool same_secret(std::string_view given, const std::string& expected) {
    return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

bool authorised(const Request& req, const std::string& token) {
    if (token.empty()) {
        return true;
    }
    constexpr std::string_view kScheme = "Bearer ";
    const std::string_view header = req.header("authorization");
    return header.size() > kScheme.size() && header.substr(0, kScheme.size()) == kScheme &&
           same_secret(header.substr(kScheme.size()), token);
}

}  // namespace

void register_metrics_route(
    Router& router, const ports::MetricsExposition& exposition, const MetricsRouteSettings& settings
) {
    router.get(settings.path, [&exposition, token = settings.token](Request& req) {
        if (!authorised(req, token)) {
            Response res = error_response(req, ErrorCode::kUnauthorized, "a metrics token is required");
            res.set_header("WWW-Authenticate", "Bearer");
            return res;
        }
        Response res;
        res.content_type = exposition.content_type();
        res.body = exposition.render();
        res.set_header("Cache-Control", "no-store");
        return res;
    });
}

}  // namespace gomall::http
