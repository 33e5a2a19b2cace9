// A small client for etcd v3's HTTP/JSON gateway on libcurl: JSON requests to /v3/... with a
// timeout each, failover across endpoints, and the newline-delimited stream of /v3/watch.
// Blocking: call it only from the registry's own threads, never from an I/O thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "adapters/etcd/request_cancellation.hpp"

namespace gomall::adapters::etcd {

/// etcd understood the request and refused it (an error object with a gRPC status code); a
/// missing lease is code 5 (NOT_FOUND).
class EtcdRefusal : public std::runtime_error {
public:
    EtcdRefusal(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

    static constexpr int kNotFound = 5;

private:
    int code_;
};

/// The request was cut short by its RequestCancellation.
class RequestCancelled : public std::runtime_error {
public:
    RequestCancelled() : std::runtime_error("etcd request cancelled") {}
};

class EtcdClient {
public:
    /// Throws std::invalid_argument when `endpoints` is empty or holds something other than
    /// http:// or https:// URLs.
    EtcdClient(std::vector<std::string> endpoints, std::chrono::milliseconds request_timeout);

    /// POSTs `body` to `path` (e.g. "/v3/kv/range") and returns the answer. Tries each endpoint
    /// once, starting with the one that answered last. Throws DependencyUnavailable when none
    /// answers with JSON (unreachable, timed out, an HTTP error, malformed JSON), EtcdRefusal
    /// when etcd refuses, RequestCancelled when cancelled.
    boost::json::object call(std::string_view path, const boost::json::object& body, RequestCancellation& cancellation)
        const;

    /// POSTs `body` to a streaming `path` ("/v3/watch") and passes each line of the answer to
    /// `on_line` until the server ends the stream, `on_line` returns false or throws (its
    /// exception passes through), or `cancellation` fires. Only connecting is timed: a stream
    /// may stay quiet for as long as nothing changes (TCP keepalive notices a dead peer).
    /// Throws DependencyUnavailable when no endpoint could be reached or the stream broke,
    /// RequestCancelled when cancelled.
    void stream(
        std::string_view path,
        const boost::json::object& body,
        const std::function<bool(std::string_view)>& on_line,
        RequestCancellation& cancellation
    ) const;

private:
    std::vector<std::string> endpoints_;
    std::chrono::milliseconds request_timeout_;
    mutable std::atomic<std::size_t> preferred_{0};  // index of the endpoint that answered last
};

}  // namespace gomall::adapters::etcd
