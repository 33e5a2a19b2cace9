#include "adapters/wechatpay/http_client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <curl/curl.h>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace gomall::wechatpay {
namespace {

// curl_global_init must run before any handle exists, once per process (curl before 7.84 also
// requires that no other thread is inside it at the same time).
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

struct Collector {
    HttpResponse response;
    std::size_t max_body = 0;
    bool too_large = false;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& c = *static_cast<Collector*>(user);
    const std::size_t bytes = size * count;
    if (c.response.body.size() + bytes > c.max_body) {
        c.too_large = true;
        return 0;  // anything but `bytes` makes curl stop with CURLE_WRITE_ERROR
    }
    c.response.body.append(data, bytes);
    return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& c = *static_cast<Collector*>(user);
    const std::size_t bytes = size * count;
    const std::string_view line(data, bytes);
    if (line.rfind("HTTP/", 0) == 0) {
        // A new status line (after a 100 Continue): the headers before it belonged to that one.
        c.response.headers.clear();
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return bytes;  // the blank line that ends the block, or a malformed line
    }
    std::string name(trim(line.substr(0, colon)));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) {
        return static_cast<char>(std::tolower(ch));
    });
    c.response.headers[name] = std::string(trim(line.substr(colon + 1)));
    return bytes;
}

// Each option is checked: a silently ignored option (a TLS setting, a protocol restriction) would
// weaken the request without anyone noticing.
template <class T>
void set_option(CURL* handle, CURLoption option, T value, const char* what) {
    if (curl_easy_setopt(handle, option, value) != CURLE_OK) {
        throw std::runtime_error(std::string("curl option refused: ") + what);
    }
}

}  // namespace

HttpClient::HttpClient(HttpClientSettings settings) : settings_(std::move(settings)) {
    init_curl_once();
}

std::variant<HttpResponse, HttpFailure> HttpClient::send(const HttpRequest& request) const {
    EasyHandle handle(curl_easy_init());
    if (!handle) {
        return HttpFailure{"curl_easy_init failed"};
    }
    CURL* h = handle.get();
    Collector collector;
    collector.max_body = settings_.max_response_bytes;

    HeaderList headers;
    // curl_slist_append returns the list's head, or null (leaving the list as it was) when out of memory.
    auto append = [&headers](const std::string& line) {
        curl_slist* head = curl_slist_append(headers.get(), line.c_str());
        if (head == nullptr) {
            return false;
        }
        static_cast<void>(headers.release());
        headers.reset(head);
        return true;
    };
    for (const auto& [name, value] : request.headers) {
        // A line break would end the header early and let the rest pose as further headers.
        if ((name + value).find_first_of("\r\n") != std::string::npos) {
            return HttpFailure{"header " + name + " contains a line break"};
        }
        if (!append(name + ": " + value)) {
            return HttpFailure{"out of memory building headers"};
        }
    }
    // curl adds "Expect: 100-continue" to larger POSTs and waits for the answer; neither WeChat
    // nor the shop needs it, and it costs a round trip.
    if (!append("Expect:")) {
        return HttpFailure{"out of memory building headers"};
    }

    // curl's own explanation ("Failed to connect to 127.0.0.1 port 9: Connection refused") says
    // more than the generic text of its error code.
    std::array<char, CURL_ERROR_SIZE> error_text{};
    try {
        set_option(h, CURLOPT_ERRORBUFFER, error_text.data(), "error buffer");
        set_option(h, CURLOPT_URL, request.url.c_str(), "url");
        set_option(h, CURLOPT_NOSIGNAL, 1L, "nosignal");  // timeouts without SIGALRM: we are threaded
        set_option(h, CURLOPT_PROTOCOLS_STR, "http,https", "protocols");
        set_option(h, CURLOPT_FOLLOWLOCATION, 0L, "followlocation");
        set_option(
            h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()), "connect timeout"
        );
        set_option(h, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.total_timeout.count()), "timeout");
        set_option(h, CURLOPT_HTTPHEADER, headers.get(), "headers");
        set_option(h, CURLOPT_WRITEFUNCTION, &on_body, "write function");
        set_option(h, CURLOPT_WRITEDATA, static_cast<void*>(&collector), "write data");
        set_option(h, CURLOPT_HEADERFUNCTION, &on_header, "header function");
        set_option(h, CURLOPT_HEADERDATA, static_cast<void*>(&collector), "header data");
        if (request.method == "GET") {
            set_option(h, CURLOPT_HTTPGET, 1L, "get");
        } else if (request.method == "HEAD") {
            set_option(h, CURLOPT_NOBODY, 1L, "head");
        } else {
            // The body is sent as given (not copied, not form-encoded); an empty one is still a
            // body of length zero, so curl sends Content-Length: 0.
            set_option(h, CURLOPT_POSTFIELDS, request.body.data(), "body");
            set_option(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()), "body size");
            if (request.method != "POST") {
                set_option(h, CURLOPT_CUSTOMREQUEST, request.method.c_str(), "method");
            }
        }
        if (!settings_.client_cert_path.empty()) {
            set_option(h, CURLOPT_SSLCERT, settings_.client_cert_path.c_str(), "client certificate");
            set_option(h, CURLOPT_SSLCERTTYPE, "PEM", "client certificate type");
        }
        if (!settings_.client_key_path.empty()) {
            set_option(h, CURLOPT_SSLKEY, settings_.client_key_path.c_str(), "client key");
            set_option(h, CURLOPT_SSLKEYTYPE, "PEM", "client key type");
        }
        if (!settings_.ca_bundle_path.empty()) {
            set_option(h, CURLOPT_CAINFO, settings_.ca_bundle_path.c_str(), "ca bundle");
        }
    } catch (const std::runtime_error& e) {
        return HttpFailure{e.what()};
    }

    const CURLcode rc = curl_easy_perform(h);
    if (collector.too_large) {
        return HttpFailure{"response larger than " + std::to_string(settings_.max_response_bytes) + " bytes"};
    }
    if (rc != CURLE_OK) {
        return HttpFailure{error_text[0] != '\0' ? std::string(error_text.data()) : curl_easy_strerror(rc)};
    }
    long status = 0;
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
        return HttpFailure{"no response status"};
    }
    collector.response.status = static_cast<int>(status);
    return std::move(collector.response);
}

}  // namespace gomall::wechatpay
