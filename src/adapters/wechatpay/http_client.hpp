// Outgoing HTTP for WeChat Pay (the shop's calls and the emulator's notifications), on libcurl:
// connect and total timeouts, no redirects, HTTP and HTTPS only, an optional client certificate
// (APIv2 refunds), response bodies capped. Blocking: never call it on an I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <variant>

namespace gomall::wechatpay {

struct HttpClientSettings {
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds total_timeout{10000};
    std::size_t max_response_bytes = std::size_t{1024} * 1024;
    std::string client_cert_path;  // PEM; empty = none
    std::string client_key_path;
    std::string ca_bundle_path;  // empty = the system's
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::map<std::string, std::string> headers;
    std::string body;
};

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-case; a repeated header keeps the last
    std::string body;
};

/// Transport failure (DNS, connect, timeout, TLS, over-size answer), with curl's words.
struct HttpFailure {
    std::string message;
};

class HttpClient {
public:
    explicit HttpClient(HttpClientSettings settings);
    /// Thread-safe: each call uses its own curl handle.
    std::variant<HttpResponse, HttpFailure> send(const HttpRequest& request) const;

private:
    HttpClientSettings settings_;
};

}  // namespace gomall::wechatpay
