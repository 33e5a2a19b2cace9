#include "http/server.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <spdlog/spdlog.h>

#include "http/client_address.hpp"
#include "http/envelope.hpp"
#include "http/http_date.hpp"
#include "http/response_head.hpp"

namespace gomall::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;  // NOLINT(readability-identifier-naming): Asio's own name
using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kFirstReadBytes = 4096;
constexpr auto kLingerTime = std::chrono::milliseconds(5000);
constexpr auto kOverCapacityLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerMaxBytes = std::size_t{16} * 1024 * 1024;
// How often each I/O thread looks for connections past their deadline (and refreshes its Date):
// timeouts fire up to this much late, in exchange for no timer per read and per write.
constexpr auto kSweepInterval = std::chrono::milliseconds(250);

struct Worker;

/// One client connection. It lives in its session coroutine and is touched only on its worker's
/// thread, so it needs no lock and no strand.
struct Connection {
    Connection(tcp::socket s, Worker& w);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// The pending read or write must finish within `timeout`, or the sweep closes the socket.
    void expires_after(std::chrono::milliseconds timeout) { deadline = Clock::now() + timeout; }
    void expires_after(std::chrono::seconds timeout) {
        expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    }
    /// Nothing is pending on the socket (a handler is working): no deadline.
    void no_deadline() { deadline = Clock::time_point::max(); }

    tcp::socket socket;
    Worker& worker;
    Clock::time_point deadline = Clock::time_point::max();
    bool busy = false;       // a request is being answered: a graceful stop waits for it
    std::string head_bytes;  // the response head being written; its capacity is kept between answers
};

/// An I/O thread with an event loop of its own. A connection stays on the worker that accepted it,
/// so its reads, handler (when inline) and writes never hop threads or take a lock.
struct Worker {
    std::unordered_set<Connection*> connections;  // on this worker's thread only
    HttpDateCache date;
    asio::io_context io{1};  // one thread runs it: Asio can skip the cross-thread wake-ups
    std::thread thread;

    /// Closes every connection whose deadline has passed: its pending operation ends with an error.
    void sweep() {
        date.refresh(std::chrono::system_clock::now());
        const auto now = Clock::now();
        for (Connection* c : connections) {
            if (c->deadline <= now) {
                c->no_deadline();
                beast::error_code ignored;
                c->socket.shutdown(tcp::socket::shutdown_both, ignored);
                c->socket.close(ignored);
            }
        }
    }
};

Connection::Connection(tcp::socket s, Worker& w) : socket(std::move(s)), worker(w) {
    worker.connections.insert(this);
}

Connection::~Connection() {
    worker.connections.erase(this);
}

asio::awaitable<void> sweep_loop(Worker& worker) {
    asio::steady_timer timer(worker.io);
    for (;;) {
        timer.expires_after(kSweepInterval);
        auto [ec] = co_await timer.async_wait(kAsTuple);
        if (ec) {
            co_return;
        }
        worker.sweep();
    }
}

// A header value without the spaces and tabs around it.
std::string_view trim_whitespace(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    return value;
}

// A request may be framed by Transfer-Encoding only as exactly "chunked", once, on HTTP/1.1.
bool acceptable_transfer_encoding(const bhttp::request_header<>& header) {
    const auto count = header.count(bhttp::field::transfer_encoding);
    if (count == 0) {
        return true;
    }
    if (count > 1 || header.version() < 11) {
        return false;
    }
    return beast::iequals(trim_whitespace(header[bhttp::field::transfer_encoding]), "chunked");
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

/// Counts a request in flight for the metrics while it is in scope.
class InFlight {
public:
    explicit InFlight(HttpMetrics* metrics) : metrics_(metrics) {
        if (metrics_ != nullptr) {
            metrics_->request_started();
        }
    }
    ~InFlight() {
        if (metrics_ != nullptr) {
            metrics_->request_finished();
        }
    }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    HttpMetrics* metrics_;
};

}  // namespace

struct Server::Impl {
    Impl(const Pipeline& p, BlockingPool& b, ServerSettings s, HttpMetrics* m)
        : pipeline(p), blocking(b), metrics(m), settings(std::move(s)), workers(make_workers(settings.io_threads)) {}

    static std::vector<std::unique_ptr<Worker>> make_workers(int count) {
        std::vector<std::unique_ptr<Worker>> out;
        for (int i = 0; i < std::max(1, count); ++i) {
            out.push_back(std::make_unique<Worker>());
        }
        return out;
    }

    const Pipeline& pipeline;
    BlockingPool& blocking;
    HttpMetrics* metrics;
    ServerSettings settings;
    std::vector<std::unique_ptr<Worker>> workers;
    tcp::acceptor acceptor{workers.front()->io};
    std::size_t next_worker = 0;  // accept loop only
    std::atomic<bool> stopping{false};
    std::atomic<bool> started{false};
    std::atomic<std::size_t> open{0};
    std::mutex mutex;
    std::condition_variable drained;
    std::uint16_t bound_port = 0;

    void opened() {
        ++open;
        if (metrics != nullptr) {
            metrics->connection_opened();
        }
    }

    void closed() {
        {
            std::lock_guard lock(mutex);
            --open;
        }
        if (metrics != nullptr) {
            metrics->connection_closed();
        }
        drained.notify_all();
    }

    /// Writes the answer's head and body with one gather write. False when the write failed.
    asio::awaitable<bool> write(Connection& conn, const Response& res, bool keep_alive, bool head) const {
        auto& out = conn.head_bytes;
        out.clear();
        const ResponseHeadOptions options{.keep_alive = keep_alive, .date = conn.worker.date.value()};
        if (const auto skipped = append_response_head(out, res, options); skipped > 0) {
            spdlog::warn("left out {} response header(s) with a name or value a header cannot carry", skipped);
        }
        const std::array<asio::const_buffer, 2> buffers{
            asio::buffer(out), head ? asio::const_buffer{} : asio::buffer(res.body)};
        conn.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
        auto [ec, n] = co_await asio::async_write(conn.socket, buffers, kAsTuple);
        conn.no_deadline();
        co_return !ec;
    }

    asio::awaitable<void> reject_over_capacity(tcp::socket socket, Worker& worker) {
        Connection conn(std::move(socket), worker);
        Request req;
        req.method = Method::kGet;
        Response res =
            pipeline.transport_error(req, ErrorCode::kUnavailable, "server is at its connection limit; retry shortly");
        co_await write(conn, res, false, false);
        // Briefly: these connections are not counted against the cap, so they must not pile up.
        co_await linger_close(conn, kOverCapacityLingerTime);
    }

    /// Accepts on the first worker's loop and hands connections to the workers in turn, so each
    /// connection's whole life stays on one thread.
    asio::awaitable<void> accept_loop() {
        for (;;) {
            Worker& target = *workers[next_worker];
            auto [ec, socket] = co_await acceptor.async_accept(target.io, kAsTuple);
            if (stopping) {
                co_return;
            }
            if (ec) {
                if (ec == asio::error::operation_aborted) {
                    co_return;
                }
                // Out of descriptors or a transient network error: back off briefly instead of spinning.
                spdlog::warn("accept failed: {}", ec.message());
                asio::steady_timer timer(workers.front()->io, std::chrono::milliseconds(50));
                co_await timer.async_wait(kAsTuple);
                continue;
            }
            next_worker = (next_worker + 1) % workers.size();
            if (open.load() >= static_cast<std::size_t>(settings.max_connections)) {
                if (metrics != nullptr) {
                    metrics->connection_refused();
                }
                asio::co_spawn(target.io, reject_over_capacity(std::move(socket), target), asio::detached);
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            opened();
            asio::co_spawn(target.io, session(std::move(socket), target), [this](const std::exception_ptr& e) {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                        spdlog::error("connection ended by exception: {}", ex.what());
                    } catch (...) {
                        spdlog::error("connection ended by unknown exception");
                    }
                }
                closed();
            });
        }
    }

    /// The answer to a request the pipeline could not give inline: a coroutine route (awaited here)
    /// or a handler that may block (run on the blocking pool; the coroutine resumes on its worker).
    asio::awaitable<Response> handle_elsewhere(Request& req, Pipeline::Dispatch next) {
        if (next.async_route != nullptr) {
            std::optional<Response> res;
            std::string failure;
            try {
                res = co_await next.async_route->options.async_handler(req);
            } catch (const std::exception& e) {
                failure = e.what();
            }
            if (!failure.empty()) {
                const std::runtime_error error(failure);
                co_return pipeline.finish_async(req, std::nullopt, &error, next.started);
            }
            co_return pipeline.finish_async(req, std::move(res), nullptr, next.started);
        }
        co_return co_await blocking.run([this, &req] { return pipeline.handle(req); });
    }

    // Server-sent events: headers without a length (the connection closes at the end), then
    // whatever the stream yields, polled on this worker until it finishes, the client leaves,
    // the cap passes or the server stops.
    asio::awaitable<void> stream_events(Connection& conn, Response res) const {
        std::string head = "HTTP/1.1 " + std::to_string(res.status) + " OK\r\nServer: gomall\r\n";
        head += "Content-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n";
        head += "Connection: close\r\nX-Accel-Buffering: no\r\n";
        for (const auto& [name, value] : res.headers) {
            if (name != "Cache-Control" && safe_header_field(name, value)) {
                head += name + ": " + value + "\r\n";
            }
        }
        head += "\r\n" + res.body;
        conn.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
        auto [ec, n] = co_await asio::async_write(conn.socket, asio::buffer(head), kAsTuple);
        conn.no_deadline();
        const auto deadline = Clock::now() + std::chrono::seconds(settings.event_stream_max_seconds);
        asio::steady_timer timer(conn.worker.io);
        while (!ec && !stopping && Clock::now() < deadline) {
            std::string frames = res.events->poll();
            if (!frames.empty()) {
                conn.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
                std::tie(ec, n) = co_await asio::async_write(conn.socket, asio::buffer(frames), kAsTuple);
                conn.no_deadline();
            }
            if (res.events->finished()) {
                break;
            }
            timer.expires_after(std::chrono::milliseconds(200));
            co_await timer.async_wait(kAsTuple);
        }
    }

    // Answers a request the transport refused, then closes the connection without resetting it.
    asio::awaitable<void> refuse(Connection& conn, Request& req, ErrorCode code, std::string message, bool head) {
        Response res = pipeline.transport_error(req, code, std::move(message));
        co_await write(conn, res, false, head);
        co_await linger_close(conn);
    }

    // Half-closes, then reads and discards what the client is still sending for a bounded time: a
    // socket closed with unread input is reset, and the reset destroys the answer before the client
    // has read it (a client uploading a body over the limit would see a broken pipe, not the 413).
    static asio::awaitable<void> linger_close(Connection& conn, std::chrono::milliseconds linger = kLingerTime) {
        beast::error_code ignored;
        conn.socket.shutdown(tcp::socket::shutdown_send, ignored);
        conn.expires_after(linger);
        std::array<char, 16384> sink{};
        std::size_t drained = 0;
        while (drained < kLingerMaxBytes) {
            auto [ec, n] = co_await conn.socket.async_read_some(asio::buffer(sink), kAsTuple);
            if (ec) {
                break;
            }
            drained += n;
        }
        conn.no_deadline();
        conn.socket.close(ignored);
    }

    // Which limit a header block that overflowed header_limit broke. The parser takes the request
    // line as soon as it is complete: if it has one, the target decides; if not, the request line
    // alone overflowed, and only a target can make it that long.
    ErrorCode oversize_header_code(const bhttp::request_parser<bhttp::string_body>& parser) const {
        const auto target = parser.get().target();
        return target.empty() || target.size() > settings.max_target_bytes ? ErrorCode::kUriTooLong
                                                                           : ErrorCode::kHeaderFieldsTooLarge;
    }

    std::string target_too_long() const {
        return "request target is longer than " + std::to_string(settings.max_target_bytes) + " bytes";
    }

    std::string oversize_header_message(ErrorCode code) const {
        if (code == ErrorCode::kUriTooLong) {
            return target_too_long();
        }
        return "request header is larger than " + std::to_string(settings.header_limit) + " bytes";
    }

    asio::awaitable<void> session(tcp::socket socket, Worker& worker) {
        Connection connection(std::move(socket), worker);
        Connection* conn = &connection;
        auto& stream = conn->socket;
        beast::flat_buffer buffer;
        // When the sweep closed the socket, the pending read or write ends with an error; the
        // loop below then leaves without an answer, as a client that ran out of time gets none.
        std::string client_ip;
        {
            beast::error_code ec;
            auto endpoint = stream.remote_endpoint(ec);
            // No X-Forwarded-For yet: this is the peer in its usual text (IPv4 also on a dual-stack socket).
            client_ip = ec ? "unknown" : resolve_client_address(endpoint.address().to_string(), {}, {});
        }
        auto transport_request = [&client_ip] {
            Request req;
            req.client_ip = client_ip;
            return req;
        };
        while (!stopping) {
            // Between requests the connection may idle; once a request's first byte is in, its whole
            // header must follow within the header timeout (a client trickling one byte a second
            // cannot hold the connection for the idle timeout).
            if (buffer.size() == 0) {
                conn->expires_after(std::chrono::seconds(settings.idle_timeout_seconds));
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadBytes), kAsTuple);
                conn->no_deadline();
                if (ec) {
                    break;
                }
                buffer.commit(n);
            }
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(settings.header_limit));
            // The route's own limit is applied once the header says where the request goes;
            // until then the parser must not judge the declared length by its default.
            parser.body_limit(std::numeric_limits<std::uint64_t>::max());
            conn->expires_after(std::chrono::seconds(settings.header_timeout_seconds));
            auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
            conn->no_deadline();
            if (ec) {
                auto req = transport_request();
                // The request line, when the parser got that far, names the request in the access log.
                if (const auto& partial = parser.get(); !partial.target().empty()) {
                    req.method =
                        parse_method(std::string_view(partial.method_string().data(), partial.method_string().size()));
                    req.target = std::string(partial.target().substr(0, settings.max_target_bytes));
                    if (!parse_target(req)) {
                        req.path.clear();
                    }
                }
                // Messages are built before co_await: GCC 12 mishandles temporaries inside it.
                if (ec == bhttp::error::header_limit) {
                    const auto code = oversize_header_code(parser);
                    std::string message = oversize_header_message(code);
                    co_await refuse(*conn, req, code, std::move(message), false);
                    co_return;
                }
                if (ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
                    ec != asio::error::operation_aborted && ec != beast::error::timeout &&
                    ec != asio::error::connection_reset && ec != asio::error::eof &&
                    ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
                    std::string message = "malformed HTTP request: " + ec.message();
                    co_await refuse(*conn, req, ErrorCode::kBadRequest, std::move(message), false);
                    co_return;
                }
                break;
            }
            conn->busy = true;

            Request req = transport_request();
            const auto& header = parser.get();
            req.method = parse_method(std::string_view(header.method_string().data(), header.method_string().size()));
            req.target = std::string(header.target());
            const bool head = req.method == Method::kHead;
            // The parser checks header_limit only while the header is incomplete: a whole header
            // that arrived in one read is measured here.
            if (bytes > settings.header_limit) {
                const auto code = oversize_header_code(parser);
                std::string message = oversize_header_message(code);
                co_await refuse(*conn, req, code, std::move(message), head);
                co_return;
            }
            if (header.version() >= 11 && header.count(bhttp::field::host) != 1) {
                // RFC 9112 3.2: without exactly one Host a proxy and this server may disagree on
                // which site the request is for.
                std::string message = "an HTTP/1.1 request needs exactly one Host header";
                co_await refuse(*conn, req, ErrorCode::kBadRequest, std::move(message), head);
                co_return;
            }
            if (!acceptable_transfer_encoding(header)) {
                // Any other framing leaves the body's length open to interpretation: read as empty,
                // its bytes would be taken for the next request (smuggling behind a proxy).
                std::string message = "Transfer-Encoding: only \"chunked\" on HTTP/1.1 is supported";
                co_await refuse(*conn, req, ErrorCode::kBadRequest, std::move(message), head);
                co_return;
            }
            if (req.target.size() > settings.max_target_bytes) {
                std::string message = target_too_long();
                co_await refuse(*conn, req, ErrorCode::kUriTooLong, std::move(message), head);
                co_return;
            }
            if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) > settings.max_header_count) {
                std::string message =
                    "request has more than " + std::to_string(settings.max_header_count) + " header fields";
                co_await refuse(*conn, req, ErrorCode::kHeaderFieldsTooLarge, std::move(message), head);
                co_return;
            }
            if (!parse_target(req)) {
                std::string message = "malformed request target";
                co_await refuse(*conn, req, ErrorCode::kBadRequest, std::move(message), head);
                co_return;
            }
            const std::size_t limit = pipeline.body_limit_for(req.method, req.path);
            auto too_large_message = [limit] {
                return "request body is larger than " + std::to_string(limit) + " bytes";
            };
            if (parser.content_length() && *parser.content_length() > limit) {
                std::string too_large = too_large_message();
                co_await refuse(*conn, req, ErrorCode::kPayloadTooLarge, std::move(too_large), head);
                co_return;
            }
            parser.body_limit(limit);
            if (beast::iequals(trim_whitespace(header[bhttp::field::expect]), "100-continue")) {
                static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
                conn->expires_after(std::chrono::seconds(settings.read_timeout_seconds));
                co_await asio::async_write(stream, asio::buffer(kContinue), kAsTuple);
                conn->no_deadline();
            }
            // A request without a body (most GETs) is complete with its header: no body read and
            // no timer to arm for it.
            if (!parser.is_done()) {
                conn->expires_after(std::chrono::seconds(settings.read_timeout_seconds));
                auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
                conn->no_deadline();
                if (body_ec) {
                    if (body_ec == bhttp::error::body_limit) {
                        std::string too_large = too_large_message();
                        co_await refuse(*conn, req, ErrorCode::kPayloadTooLarge, std::move(too_large), head);
                        co_return;
                    }
                    // A broken chunk size or framing: say so before closing. A client that went away
                    // (partial message, reset) or ran out of time gets nothing.
                    if (body_ec != bhttp::error::partial_message && body_ec != bhttp::error::end_of_stream &&
                        body_ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
                        std::string message = "malformed request body: " + body_ec.message();
                        co_await refuse(*conn, req, ErrorCode::kBadRequest, std::move(message), head);
                        co_return;
                    }
                    break;
                }
            }
            auto message = parser.release();
            req.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
            for (const auto& field : message) {
                req.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
            }
            if (!settings.trusted_proxies.empty()) {
                std::vector<std::string_view> forwarded_for;
                for (const auto& [name, value] : req.headers) {
                    if (name == "x-forwarded-for") {
                        forwarded_for.emplace_back(value);
                    }
                }
                req.client_ip = resolve_client_address(client_ip, forwarded_for, settings.trusted_proxies);
            }
            req.body = std::move(message.body());
            const bool keep_alive = message.keep_alive();

            Response res;
            {
                // Counted in flight while it is handled (the answer is then ready to write).
                InFlight in_flight(metrics);
                req.received_at = Clock::now();
                auto next = pipeline.dispatch(req);
                if (next.response) {
                    res = std::move(*next.response);  // answered on this thread: no hop, no frame
                } else {
                    res = co_await handle_elsewhere(req, next);
                }
            }
            if (res.events) {
                co_await stream_events(*conn, std::move(res));
                break;
            }
            const bool keep = keep_alive && !stopping;
            const bool written = co_await write(*conn, res, keep, head);
            conn->busy = false;
            if (!keep || !written) {
                break;
            }
        }
        beast::error_code ignored;
        stream.shutdown(tcp::socket::shutdown_send, ignored);
        stream.close(ignored);
    }
};

Server::Server(const Pipeline& pipeline, BlockingPool& blocking, ServerSettings settings, HttpMetrics* metrics)
    : impl_(std::make_unique<Impl>(pipeline, blocking, std::move(settings), metrics)) {}

Server::~Server() {
    try {
        stop();
    } catch (const std::exception& e) {
        spdlog::error("stopping the HTTP server: {}", e.what());
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be done in a destructor
    }
}

void Server::start(ListenSocket socket) {
    auto& s = *impl_;
    const auto protocol = socket.ipv6() ? tcp::v6() : tcp::v4();
    s.acceptor.assign(protocol, socket.release());
    s.acceptor.listen(asio::socket_base::max_listen_connections);
    s.bound_port = s.acceptor.local_endpoint().port();
    asio::co_spawn(s.workers.front()->io, s.accept_loop(), asio::detached);
    s.started = true;
    for (auto& w : s.workers) {
        Worker& worker = *w;
        // The sweep's timer also keeps a worker without connections from running out of work.
        asio::co_spawn(worker.io, sweep_loop(worker), asio::detached);
        worker.thread = std::thread([&worker] {
            for (;;) {
                try {
                    worker.io.run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("I/O thread caught: {}", e.what());
                }
            }
        });
    }
}

std::uint16_t Server::port() const {
    return impl_->bound_port;
}

std::size_t Server::open_connections() const {
    return impl_->open.load();
}

std::size_t Server::stop() {
    auto& s = *impl_;
    if (!s.started || s.stopping.exchange(true)) {
        return 0;
    }
    asio::post(s.workers.front()->io, [&s] {
        beast::error_code ignored;
        s.acceptor.close(ignored);
    });
    for (auto& w : s.workers) {
        // On the worker's own thread, so a request being served is never cut off.
        asio::post(w->io, [&worker = *w] {
            for (Connection* conn : worker.connections) {
                if (!conn->busy) {
                    beast::error_code ignored;
                    conn->socket.shutdown(tcp::socket::shutdown_both, ignored);
                    conn->socket.close(ignored);
                }
            }
        });
    }
    std::size_t remaining = 0;
    {
        std::unique_lock lock(s.mutex);
        s.drained.wait_for(lock, std::chrono::seconds(s.settings.shutdown_timeout_seconds), [&s] {
            return s.open.load() == 0;
        });
        remaining = s.open.load();
    }
    for (auto& w : s.workers) {
        w->io.stop();
    }
    for (auto& w : s.workers) {
        if (w->thread.joinable()) {
            w->thread.join();
        }
    }
    return remaining;
}

}  // namespace gomall::http
