// The HTTP/1.1 server: Asio I/O threads accept connections and run one coroutine per connection;
// handlers that may block run on a separate thread pool. Beast stays inside server.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/blocking_pool.hpp"
#include "http/client_address.hpp"
#include "http/http_metrics.hpp"
#include "http/listen_socket.hpp"
#include "http/pipeline.hpp"

namespace gomall::http {

struct ServerSettings {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;  // 0 = any free port (see Server::port())
    int io_threads = 2;
    int max_connections = 10000;
    std::size_t header_limit = std::size_t{16} * 1024;  // request line and header fields together: 431
    std::size_t max_header_count = 100;                 // more fields: 431
    std::size_t max_target_bytes = 8192;                // longer request target: 414
    int header_timeout_seconds = 10;                    // from a request's first byte to the end of its header
    int read_timeout_seconds = 15;                      // the body, and each response write
    int idle_timeout_seconds = 60;                      // between requests on a kept-alive connection
    int shutdown_timeout_seconds = 10;
    int event_stream_max_seconds = 300;  // hard cap on one server-sent-events response
    TrustedProxies trusted_proxies;      // peers whose X-Forwarded-For names the client (none: never read)
};

class Server {
public:
    /// `blocking` runs the handlers that may block; it must outlive the server, and its owner joins
    /// it after stop() (requests still running there are part of the drain).
    /// `metrics`, when set, counts requests in flight and connections refused; it must outlive the server.
    Server(const Pipeline& pipeline, BlockingPool& blocking, ServerSettings settings, HttpMetrics* metrics = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Listens on `socket` (bound earlier, before the application touched any data) and starts the
    /// I/O threads.
    void start(ListenSocket socket);
    /// The bound port (useful when settings.port was 0).
    std::uint16_t port() const;
    /// Graceful stop: stop accepting, close idle connections, let in-flight requests finish
    /// (answered with Connection: close) until the shutdown deadline, then stop all threads.
    /// Returns the number of connections that were still open at the deadline. Idempotent.
    std::size_t stop();
    /// Connections currently open.
    std::size_t open_connections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gomall::http
