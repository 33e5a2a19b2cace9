#include "http/server.hpp"

#include <array>
#include <atomic>
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
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "http/client_address.hpp"
#include "http/envelope.hpp"

namespace gomall::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;  // NOLINT(readability-identifier-naming): Asio's own name
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kFirstReadBytes = 4096;
constexpr auto kLingerTime = std::chrono::milliseconds(5000);
constexpr auto kOverCapacityLingerTime = std::chrono::milliseconds(500);
constexpr std::size_t kLingerMaxBytes = std::size_t{16} * 1024 * 1024;

struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool busy = false;  // touched only on the connection's strand
};

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

bhttp::response<bhttp::string_body> to_beast(Response&& res, bool keep_alive, bool head) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
    out.set(bhttp::field::server, "gomall");
    if (!res.content_type.empty()) {
        out.set(bhttp::field::content_type, res.content_type);
    }
    for (auto& [name, value] : res.headers) {
        out.set(name, value);
    }
    const auto length = res.body.size();
    if (!head) {
        out.body() = std::move(res.body);
    }
    out.keep_alive(keep_alive);
    out.content_length(length);
    return out;
}

}  // namespace

struct Server::Impl {
    Impl(const Pipeline& p, BlockingPool& b, ServerSettings s, HttpMetrics* m)
        : pipeline(p), blocking(b), metrics(m), settings(std::move(s)), io(std::max(1, settings.io_threads)) {}

    const Pipeline& pipeline;
    BlockingPool& blocking;
    HttpMetrics* metrics;
    ServerSettings settings;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};
    std::atomic<bool> started{false};
    std::atomic<std::size_t> open{0};
    std::mutex mutex;
    std::condition_variable drained;
    std::unordered_set<std::shared_ptr<Connection>> connections;
    std::uint16_t bound_port = 0;

    void add(const std::shared_ptr<Connection>& c) {
        std::lock_guard lock(mutex);
        connections.insert(c);
        ++open;
        if (metrics != nullptr) {
            metrics->connection_opened();
        }
    }

    void remove(const std::shared_ptr<Connection>& c) {
        std::lock_guard lock(mutex);
        if (connections.erase(c) > 0) {
            --open;
            if (metrics != nullptr) {
                metrics->connection_closed();
            }
        }
        drained.notify_all();
    }

    asio::awaitable<void> write(Connection& conn, Response res, bool keep_alive, bool head) const {
        auto out = to_beast(std::move(res), keep_alive, head);
        conn.stream.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
        co_await bhttp::async_write(conn.stream, out, kAsTuple);
    }

    asio::awaitable<void> reject_over_capacity(tcp::socket socket) {
        Connection conn(std::move(socket));
        Request req;
        req.method = Method::kGet;
        Response res =
            pipeline.transport_error(req, ErrorCode::kUnavailable, "server is at its connection limit; retry shortly");
        co_await write(conn, std::move(res), false, false);
        // Briefly: these connections are not counted against the cap, so they must not pile up.
        co_await linger_close(conn, kOverCapacityLingerTime);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kAsTuple);
            if (stopping) {
                co_return;
            }
            if (ec) {
                if (ec == asio::error::operation_aborted) {
                    co_return;
                }
                // Out of descriptors or a transient network error: back off briefly instead of spinning.
                spdlog::warn("accept failed: {}", ec.message());
                asio::steady_timer timer(io, std::chrono::milliseconds(50));
                co_await timer.async_wait(kAsTuple);
                continue;
            }
            if (open.load() >= static_cast<std::size_t>(settings.max_connections)) {
                if (metrics != nullptr) {
                    metrics->connection_refused();
                }
                auto exec = socket.get_executor();
                asio::co_spawn(exec, reject_over_capacity(std::move(socket)), asio::detached);
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            auto conn = std::make_shared<Connection>(std::move(socket));
            add(conn);
            asio::co_spawn(conn->stream.get_executor(), session(conn), [this, conn](const std::exception_ptr& e) {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                        spdlog::error("connection ended by exception: {}", ex.what());
                    } catch (...) {
                        spdlog::error("connection ended by unknown exception");
                    }
                }
                remove(conn);
            });
        }
    }

    /// Counts the request in flight while it is handled (the answer is then ready to write).
    asio::awaitable<Response> respond(Request& req) {
        req.received_at = std::chrono::steady_clock::now();
        if (metrics == nullptr) {
            co_return co_await handle(req);
        }
        metrics->request_started();
        struct Finished {
            HttpMetrics* metrics;
            ~Finished() { metrics->request_finished(); }
        } finished{metrics};
        co_return co_await handle(req);
    }

    asio::awaitable<Response> handle(Request& req) {
        auto next = pipeline.dispatch(req);
        if (next.response) {
            co_return std::move(*next.response);
        }
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
        // The handler runs on the blocking pool; the coroutine resumes on its connection's strand.
        co_return co_await blocking.run([this, &req] { return pipeline.handle(req); });
    }

    // Server-sent events: headers without a length (the connection closes at the end), then
    // whatever the stream yields, polled on this strand until it finishes, the client leaves,
    // the cap passes or the server stops.
    asio::awaitable<void> stream_events(Connection& conn, Response res) const {
        std::string head = "HTTP/1.1 " + std::to_string(res.status) + " OK\r\nServer: gomall\r\n";
        head += "Content-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n";
        head += "Connection: close\r\nX-Accel-Buffering: no\r\n";
        for (const auto& [name, value] : res.headers) {
            if (name != "Cache-Control") {
                head += name + ": " + value + "\r\n";
            }
        }
        head += "\r\n" + res.body;
        conn.stream.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
        auto [ec, n] = co_await asio::async_write(conn.stream, asio::buffer(head), kAsTuple);
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(settings.event_stream_max_seconds);
        asio::steady_timer timer(conn.stream.get_executor());
        while (!ec && !stopping && std::chrono::steady_clock::now() < deadline) {
            std::string frames = res.events->poll();
            if (!frames.empty()) {
                conn.stream.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
                std::tie(ec, n) = co_await asio::async_write(conn.stream, asio::buffer(frames), kAsTuple);
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
        co_await write(conn, pipeline.transport_error(req, code, std::move(message)), false, head);
        co_await linger_close(conn);
    }

    // Half-closes, then reads and discards what the client is still sending for a bounded time: a
    // socket closed with unread input is reset, and the reset destroys the answer before the client
    // has read it (a client uploading a body over the limit would see a broken pipe, not the 413).
    static asio::awaitable<void> linger_close(Connection& conn, std::chrono::milliseconds linger = kLingerTime) {
        beast::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn.stream.expires_after(linger);
        std::array<char, 16384> sink{};
        std::size_t drained = 0;
        while (drained < kLingerMaxBytes) {
            auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), kAsTuple);
            if (ec) {
                break;
            }
            drained += n;
        }
        conn.stream.close();
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

    asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
        auto& stream = conn->stream;
        beast::flat_buffer buffer;
        std::string client_ip;
        {
            beast::error_code ec;
            auto endpoint = stream.socket().remote_endpoint(ec);
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
                stream.expires_after(std::chrono::seconds(settings.idle_timeout_seconds));
                auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadBytes), kAsTuple);
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
            stream.expires_after(std::chrono::seconds(settings.header_timeout_seconds));
            auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
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
            std::string too_large = "request body is larger than " + std::to_string(limit) + " bytes";
            if (parser.content_length() && *parser.content_length() > limit) {
                co_await refuse(*conn, req, ErrorCode::kPayloadTooLarge, std::move(too_large), head);
                co_return;
            }
            parser.body_limit(limit);
            if (lower(header[bhttp::field::expect]) == "100-continue") {
                bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
                stream.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
                co_await bhttp::async_write(stream, cont, kAsTuple);
            }
            // A request without a body (most GETs) is complete with its header: no body read and
            // no timer to arm for it.
            if (!parser.is_done()) {
                stream.expires_after(std::chrono::seconds(settings.read_timeout_seconds));
                auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
                if (body_ec) {
                    if (body_ec == bhttp::error::body_limit) {
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

            Response res = co_await respond(req);
            if (res.events) {
                co_await stream_events(*conn, std::move(res));
                break;
            }
            const bool keep = keep_alive && !stopping;
            co_await write(*conn, std::move(res), keep, head);
            conn->busy = false;
            if (!keep) {
                break;
            }
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.close();
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
    asio::co_spawn(s.io, s.accept_loop(), asio::detached);
    s.started = true;
    for (int i = 0; i < std::max(1, s.settings.io_threads); ++i) {
        s.threads.emplace_back([&s] {
            for (;;) {
                try {
                    s.io.run();
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
    asio::post(s.io, [&s] {
        beast::error_code ignored;
        s.acceptor.close(ignored);
    });
    {
        std::lock_guard lock(s.mutex);
        for (const auto& conn : s.connections) {
            // Checked on the connection's own strand, so a request being served is never cut off.
            asio::post(conn->stream.get_executor(), [conn] {
                if (!conn->busy) {
                    beast::error_code ignored;
                    conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                    conn->stream.close();
                }
            });
        }
    }
    std::size_t remaining = 0;
    {
        std::unique_lock lock(s.mutex);
        s.drained.wait_for(lock, std::chrono::seconds(s.settings.shutdown_timeout_seconds), [&s] {
            return s.open.load() == 0;
        });
        remaining = s.open.load();
    }
    s.io.stop();
    for (auto& t : s.threads) {
        if (t.joinable()) {
            t.join();
        }
    }
    {
        std::lock_guard lock(s.mutex);
        s.connections.clear();
    }
    return remaining;
}

}  // namespace gomall::http
