// The HTTP/1.1 server: Asio I/O threads accept connections and run one coroutine per connection;
// handlers that may block run on a separate thread pool. Beast stays inside server.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/blocking_pool.hpp"
#include "http/pipeline.hpp"

namespace gomall::http {

struct ServerSettings {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;  // 0 = any free port (see Server::port())
    int io_threads = 2;
    int max_connections = 10000;
    std::size_t header_limit = std::size_t{16} * 1024;
    int read_timeout_seconds = 15;
    int idle_timeout_seconds = 60;
    int shutdown_timeout_seconds = 10;
    int event_stream_max_seconds = 300;  // hard cap on one server-sent-events response
    bool trust_proxy = false;
};

class Server {
public:
    /// `blocking` runs the handlers that may block; it must outlive the server, and its owner joins
    /// it after stop() (requests still running there are part of the drain).
    Server(const Pipeline& pipeline, BlockingPool& blocking, ServerSettings settings);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and starts the I/O and blocking threads. Throws if the address cannot be bound.
    void start();
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
