// etcd's JSON gateway over libcurl. Each transfer runs in a curl multi handle so that a
// RequestCancellation can wake it (curl_multi_wakeup) instead of waiting out a timeout.
#include "adapters/etcd/etcd_client.hpp"

#include <array>
#include <curl/curl.h>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/json.hpp>

#include "core/unavailable.hpp"

namespace gomall::adapters::etcd {
namespace {

constexpr std::size_t kMaxAnswerBytes = std::size_t{4} * 1024 * 1024;
constexpr long kPollMs = 1000;             // the longest a transfer sleeps between checks
constexpr long kKeepaliveIdleSeconds = 5;  // a silent watch stream is probed after this long
constexpr long kKeepaliveIntervalSeconds = 2;
constexpr int kGrpcUnavailable = 14;  // etcd without a leader, or shutting down: try another member

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
    void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

/// What the write callback collected; `overflow` when the answer (or one stream line) grew past
/// the cap.
struct Received {
    std::string bytes;
    bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& received = *static_cast<Received*>(user);
    const std::size_t n = size * count;
    if (received.bytes.size() + n > kMaxAnswerBytes) {
        received.overflow = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    received.bytes.append(data, n);
    return n;
}

/// One prepared POST: the easy handle and what it points to, kept alive together.
struct Post {
    std::unique_ptr<CURL, EasyDeleter> easy;
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    std::string url;
    std::string body;
    Received received;
    std::array<char, CURL_ERROR_SIZE> error_text{};

    std::string failure(CURLcode rc) const {
        if (received.overflow) {
            return "answer larger than " + std::to_string(kMaxAnswerBytes) + " bytes";
        }
        return error_text[0] != '\0' ? std::string(error_text.data()) : curl_easy_strerror(rc);
    }
};

// The option calls cannot fail for these options on a valid handle except for lack of memory,
// which the transfer then reports.
std::unique_ptr<Post> prepare_post(
    std::string url, std::string body, std::chrono::milliseconds timeout, bool streaming
) {
    auto post = std::make_unique<Post>();
    post->url = std::move(url);
    post->body = std::move(body);
    post->easy.reset(curl_easy_init());
    if (!post->easy) {
        return nullptr;
    }
    for (const char* line : {"Content-Type: application/json", "Expect:"}) {
        curl_slist* head = curl_slist_append(post->headers.get(), line);
        if (head == nullptr) {
            return nullptr;
        }
        static_cast<void>(post->headers.release());
        post->headers.reset(head);
    }
    CURL* h = post->easy.get();
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, post->error_text.data());
    curl_easy_setopt(h, CURLOPT_URL, post->url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, post->headers.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, post->body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post->body.size()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, static_cast<void*>(&post->received));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    if (streaming) {
        curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, kKeepaliveIdleSeconds);
        curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, kKeepaliveIntervalSeconds);
    } else {
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    }
    return post;
}

/// Runs `post` to its end. `after_data` runs after every step that may have received bytes and
/// returns false to end the transfer early. Returns curl's result (CURLE_OK also when ended
/// early). Throws RequestCancelled.
CURLcode run_transfer(Post& post, RequestCancellation& cancellation, const std::function<bool()>& after_data) {
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!multi || curl_multi_add_handle(multi.get(), post.easy.get()) != CURLM_OK) {
        return CURLE_OUT_OF_MEMORY;
    }
    // Detach before the multi handle goes: cancel() must never wake a freed handle.
    struct Attachment {
        RequestCancellation& cancellation;
        CURLM* multi;
        CURL* easy;
        ~Attachment() {
            cancellation.detach();
            curl_multi_remove_handle(multi, easy);
        }
    } attachment{cancellation, multi.get(), post.easy.get()};
    if (!cancellation.attach(multi.get())) {
        throw RequestCancelled();
    }
    int running = 1;
    while (true) {
        if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
            return CURLE_OUT_OF_MEMORY;
        }
        if (after_data && !after_data()) {
            return CURLE_OK;
        }
        if (running == 0) {
            break;
        }
        curl_multi_poll(multi.get(), nullptr, 0, kPollMs, nullptr);
        if (cancellation.cancelled()) {
            throw RequestCancelled();
        }
    }
    int queued = 0;
    while (const CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
        if (message->msg == CURLMSG_DONE) {
            return message->data.result;
        }
    }
    return CURLE_RECV_ERROR;
}

/// An etcd error object ({"error": ..., "code": N, "message": ...}), if `answer` is one; the
/// watch stream nests it as {"error": {"grpc_code": N, "message": ...}}.
std::optional<EtcdRefusal> refusal_in(const boost::json::object& answer) {
    const auto* error = answer.if_contains("error");
    if (error == nullptr) {
        return std::nullopt;
    }
    const boost::json::object* details = error->if_object();
    const boost::json::object& source = details != nullptr ? *details : answer;
    int code = 2;  // UNKNOWN
    for (const char* name : {"code", "grpc_code"}) {
        if (const auto* c = source.if_contains(name); c != nullptr && c->is_int64()) {
            code = static_cast<int>(c->get_int64());
        }
    }
    std::string message = "etcd refused the request";
    if (const auto* m = source.if_contains("message"); m != nullptr && m->is_string()) {
        message = std::string(m->get_string());
    } else if (error->is_string()) {
        message = std::string(error->get_string());
    }
    return EtcdRefusal(code, message);
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) {
        out += (out.empty() ? "" : "; ") + part;
    }
    return out;
}

}  // namespace

EtcdClient::EtcdClient(std::vector<std::string> endpoints, std::chrono::milliseconds request_timeout)
    : endpoints_(std::move(endpoints)), request_timeout_(request_timeout) {
    if (endpoints_.empty()) {
        throw std::invalid_argument("etcd: no endpoints");
    }
    for (auto& endpoint : endpoints_) {
        if ((endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) ||
            endpoint.find_first_of(" \t\r\n") != std::string::npos) {
            throw std::invalid_argument("etcd endpoint '" + endpoint + "' is not an http:// or https:// URL");
        }
        // Endpoints appear in log lines and error messages: credentials must not be part of them.
        if (endpoint.find('@') != std::string::npos) {
            throw std::invalid_argument("etcd endpoint: credentials in the URL are not supported");
        }
        while (endpoint.back() == '/') {
            endpoint.pop_back();
        }
    }
    init_curl_once();
}

boost::json::object EtcdClient::call(
    std::string_view path, const boost::json::object& body, RequestCancellation& cancellation
) const {
    const std::string text = boost::json::serialize(body);
    std::vector<std::string> failures;
    const std::size_t first = preferred_.load();
    for (std::size_t k = 0; k < endpoints_.size(); ++k) {
        const std::size_t index = (first + k) % endpoints_.size();
        const std::string& endpoint = endpoints_[index];
        auto post = prepare_post(endpoint + std::string(path), text, request_timeout_, false);
        if (!post) {
            failures.push_back(endpoint + ": out of memory");
            continue;
        }
        const CURLcode rc = run_transfer(*post, cancellation, {});
        if (rc != CURLE_OK) {
            failures.push_back(endpoint + ": " + post->failure(rc));
            continue;
        }
        long status = 0;
        curl_easy_getinfo(post->easy.get(), CURLINFO_RESPONSE_CODE, &status);
        boost::system::error_code ec;
        const boost::json::value answer = boost::json::parse(post->received.bytes, ec);
        if (ec || !answer.is_object()) {
            failures.push_back(
                endpoint + ": HTTP " + std::to_string(status) + " with an answer that is not a JSON object"
            );
            continue;
        }
        if (auto refusal = refusal_in(answer.get_object())) {
            if (refusal->code() == kGrpcUnavailable) {
                failures.push_back(endpoint + ": " + refusal->what());
                continue;
            }
            preferred_.store(index);
            throw EtcdRefusal(std::move(*refusal));
        }
        if (status != 200) {
            failures.push_back(endpoint + ": HTTP " + std::to_string(status));
            continue;
        }
        preferred_.store(index);
        return answer.get_object();
    }
    throw DependencyUnavailable("etcd " + std::string(path) + " failed on every endpoint: " + joined(failures));
}

void EtcdClient::stream(
    std::string_view path,
    const boost::json::object& body,
    const std::function<bool(std::string_view)>& on_line,
    RequestCancellation& cancellation
) const {
    const std::string text = boost::json::serialize(body);
    std::vector<std::string> failures;
    const std::size_t first = preferred_.load();
    for (std::size_t k = 0; k < endpoints_.size(); ++k) {
        const std::size_t index = (first + k) % endpoints_.size();
        const std::string& endpoint = endpoints_[index];
        auto post = prepare_post(endpoint + std::string(path), text, request_timeout_, true);
        if (!post) {
            failures.push_back(endpoint + ": out of memory");
            continue;
        }
        bool answered = false;
        // Complete lines are handed on and dropped, so the cap applies to one line, not the stream.
        auto hand_on_lines = [&] {
            std::string& bytes = post->received.bytes;
            std::size_t start = 0;
            for (auto end = bytes.find('\n'); end != std::string::npos; end = bytes.find('\n', start)) {
                const std::string_view line(bytes.data() + start, end - start);
                start = end + 1;
                if (line.find_first_not_of(" \r") == std::string_view::npos) {
                    continue;
                }
                answered = true;
                if (!on_line(line)) {
                    return false;
                }
            }
            bytes.erase(0, start);
            return true;
        };
        const CURLcode rc = run_transfer(*post, cancellation, hand_on_lines);
        // An error answer (a bad request) may come as one object without a line break.
        if (rc == CURLE_OK && !post->received.bytes.empty()) {
            post->received.bytes += '\n';
            hand_on_lines();
        }
        if (answered) {
            preferred_.store(index);
            if (rc != CURLE_OK) {
                throw DependencyUnavailable(
                    "etcd " + std::string(path) + " stream from " + endpoint + " broke: " + post->failure(rc)
                );
            }
            return;  // ended by the server (etcd shutting down) or by on_line
        }
        failures.push_back(
            endpoint + ": " + (rc != CURLE_OK ? post->failure(rc) : "the stream ended without an answer")
        );
    }
    throw DependencyUnavailable("etcd " + std::string(path) + " failed on every endpoint: " + joined(failures));
}

}  // namespace gomall::adapters::etcd
