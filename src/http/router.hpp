// Maps (method, path pattern) to handlers. Pure: no sockets, so tests call match() directly.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/request.hpp"

namespace gomall::http {

/// Runs on the blocking pool: may call services that touch the database or hash passwords.
using Handler = std::function<Response(Request&)>;
/// Runs on an I/O thread: must not block. Returns nullopt to fall back to the blocking handler
/// (e.g. a cache miss).
using InlineHandler = std::function<std::optional<Response>(Request&)>;
/// Runs on an I/O thread as a coroutine: may co_await non-blocking work (the stock gate, the
/// reservation queue, BlockingPool::run for database calls) but must never block the thread.
using AsyncHandler = std::function<boost::asio::awaitable<Response>(Request&)>;

struct RouteOptions {
    bool auth = false;           // requires a valid access token
    bool admin = false;          // requires the admin role (implies auth)
    std::size_t body_limit = 0;  // 0 = the server's default
    InlineHandler fast_path;     // optional non-blocking attempt before `handler`
    bool inline_only = false;    // the handler itself never blocks (health, version)
    AsyncHandler async_handler;  // when set, used instead of `handler` (which may then be empty)
};

/// Options of a route for signed-in users.
inline RouteOptions signed_in() {
    RouteOptions options;
    options.auth = true;
    return options;
}

/// Options of a route for administrators (signed in with the admin role).
inline RouteOptions admin_only() {
    RouteOptions options;
    options.admin = true;
    return options;
}

struct Route {
    Method method = Method::kGet;
    std::string pattern;  // "/api/order/:order_no/pay"
    Handler handler;
    RouteOptions options;
    std::vector<std::string> segments;  // pattern split on '/'
};

struct RouteMatch {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Route* route = nullptr;
    Fields params;
    std::string allow;  // for 405: "GET, POST"
};

class Router {
public:
    void add(Method method, std::string pattern, Handler handler, RouteOptions options = {});
    void get(std::string pattern, Handler handler, RouteOptions options = {}) {
        add(Method::kGet, std::move(pattern), std::move(handler), std::move(options));
    }
    void post(std::string pattern, Handler handler, RouteOptions options = {}) {
        add(Method::kPost, std::move(pattern), std::move(handler), std::move(options));
    }
    void put(std::string pattern, Handler handler, RouteOptions options = {}) {
        add(Method::kPut, std::move(pattern), std::move(handler), std::move(options));
    }
    void del(std::string pattern, Handler handler, RouteOptions options = {}) {
        add(Method::kDelete, std::move(pattern), std::move(handler), std::move(options));
    }

    /// A coroutine route: `handler` runs on the I/O thread (see AsyncHandler).
    void add_async(Method method, std::string pattern, AsyncHandler handler, RouteOptions options = {}) {
        options.async_handler = std::move(handler);
        add(method, std::move(pattern), Handler{}, std::move(options));
    }

    /// Literal segments win over ":param" segments; HEAD matches GET routes.
    RouteMatch match(Method method, std::string_view path) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace gomall::http
