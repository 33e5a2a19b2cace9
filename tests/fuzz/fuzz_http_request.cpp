// libFuzzer target: raw bytes as an HTTP/1.1 request, the way the server takes one in: Beast's
// request parser with the server's header limit, the route's body limit, the conversion to an
// http::Request (lower-cased header names, parse_target), then the Pipeline (trace context, CORS,
// routing, authentication, handlers, static files) on the inline and the blocking path. The routes
// are shaped like the shop's (path ids, query integers, JSON bodies with every JsonBody accessor,
// a token-protected and an admin route, a fast path), with a real JwtCodec behind the verifier;
// the seeds carry tokens signed with this target's secret.
// Checks besides crashes and undefined behaviour: the status is a real HTTP status; every JSON
// answer is valid JSON (UTF-8 included) with the envelope's fields; no answer holds the content of
// a file outside the static root.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "http/envelope.hpp"
#include "http/json_body.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "ports/access_token_verifier.hpp"
#include "services/jwt.hpp"

namespace {

namespace bhttp = boost::beast::http;
using namespace gomall::http;  // NOLINT(google-build-using-namespace): a test harness of this namespace

// The seeds' bearer tokens are signed with this secret and expire in 2100.
constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789";
constexpr std::string_view kOutsideMarker = "FUZZ-SECRET-OUTSIDE-THE-ROOT";
constexpr std::size_t kHeaderLimit = std::size_t{16} * 1024;
constexpr std::size_t kDefaultBodyLimit = std::size_t{64} * 1024;
constexpr std::int64_t kMaxId = 9'000'000'000'000'000'000;

class FixedClockVerifier : public gomall::ports::AccessTokenVerifier {
public:
    gomall::Result<gomall::domain::AccessClaims> verify(std::string_view token) const override {
        return codec_.verify(token, gomall::from_unix_seconds(1796428800));
    }

private:
    gomall::services::JwtCodec codec_{std::string(kSecret)};
};

Response create_product(Request& req) {
    GOMALL_TRY(
        auto body,
        req,
        JsonBody::parse(req, {"name", "price", "stock", "category_id", "description", "on_sale", "discount"})
    );
    GOMALL_TRY(auto name, req, body.required_string("name", 1, 100));
    GOMALL_TRY(auto price, req, body.required_money("price", 1, 9'999'999'99));
    GOMALL_TRY(auto stock, req, body.required_int("stock", 0, 10'000'000));
    GOMALL_TRY(auto category, req, body.optional_int("category_id", 1, kMaxId));
    GOMALL_TRY(auto description, req, body.optional_string("description", 0, 2000));
    GOMALL_TRY(auto on_sale, req, body.optional_bool("on_sale"));
    GOMALL_TRY(auto discount, req, body.optional_money("discount", 0, price));
    boost::json::object out;
    out["name"] = name;
    out["price"] = money_json(price);
    out["stock"] = stock;
    out["category_id"] = category.value_or(0);
    out["description"] = description.value_or("");
    out["on_sale"] = on_sale.value_or(true);
    out["discount"] = money_json(discount.value_or(0));
    return ok(req, std::move(out), 201);
}

Response add_to_cart(Request& req) {
    GOMALL_TRY(auto body, req, JsonBody::parse(req, {"product_id", "quantity"}));
    GOMALL_TRY(auto product, req, body.required_int("product_id", 1, kMaxId));
    GOMALL_TRY(auto quantity, req, body.required_int("quantity", 1, 99));
    return ok(req, boost::json::object{{"user_id", req.user_id()}, {"product_id", product}, {"quantity", quantity}});
}

Response login(Request& req) {
    GOMALL_TRY(auto body, req, JsonBody::parse(req, {"username", "password"}));
    GOMALL_TRY(auto username, req, body.required_string("username", 3, 32));
    GOMALL_TRY(auto password, req, body.required_string("password", 8, 72));
    return ok(req, boost::json::object{{"username", username}, {"password_length", password.size()}});
}

Response list_products(Request& req) {
    GOMALL_TRY(auto page, req, query_int(req, "page", 1, 1, 100000));
    GOMALL_TRY(auto size, req, query_int(req, "page_size", 20, 1, 100));
    GOMALL_TRY(auto category, req, query_int(req, "category", 0, 0, kMaxId));
    return ok(req, page_object(boost::json::array{}, category, static_cast<int>(page), static_cast<int>(size)));
}

Response product_detail(Request& req) {
    GOMALL_TRY(auto id, req, path_id(req, "id"));
    return ok(req, boost::json::object{{"id", id}});
}

Response order_action(Request& req) {
    const auto order_no = req.param("order_no");
    if (order_no.size() != 26 || order_no.find_first_not_of("ORD0123456789") != std::string_view::npos) {
        return error_response(req, gomall::ErrorCode::kOrderNotFound, "no such order", "order_no");
    }
    return ok(req, boost::json::object{{"order_no", order_no}, {"user_id", req.user_id()}});
}

Router make_router() {
    Router r;
    RouteOptions inline_route;
    inline_route.inline_only = true;
    r.get(
        "/health",
        [](Request& req) {
            return ok(req, boost::json::object{{"status", "ok"}});
        },
        inline_route
    );
    r.get("/api/product", list_products);
    RouteOptions cached;
    cached.fast_path = [](Request& req) -> std::optional<Response> {
        if (req.param("id") == "1") {
            return ok(req, boost::json::object{{"id", 1}, {"cached", true}});
        }
        return std::nullopt;
    };
    r.get("/api/product/:id", product_detail, cached);
    RouteOptions admin;
    admin.auth = true;
    admin.admin = true;
    r.post("/api/product", create_product, admin);
    RouteOptions shopper;
    shopper.auth = true;
    r.post("/api/cart", add_to_cart, shopper);
    r.put("/api/cart", add_to_cart, shopper);
    r.post("/api/order/:order_no/pay", order_action, shopper);
    r.get("/api/order/:order_no/payment", order_action, shopper);
    RouteOptions small;
    small.body_limit = 256;
    r.post("/api/user/login", login, small);
    r.add(Method::kPatch, "/api/cart/:product_id/:quantity", add_to_cart, shopper);
    return r;
}

// A web root with an index, an asset and an upload mount, beside a file that must never be served.
std::string make_static_tree() {
    namespace fs = std::filesystem;
    const fs::path base = fs::temp_directory_path() / ("gomall-fuzz-http-" + random_hex(6));
    fs::create_directories(base / "web" / "assets");
    fs::create_directories(base / "web" / "swagger");
    fs::create_directories(base / "uploads");
    std::ofstream(base / "web" / "index.html") << "<!doctype html><title>fuzz</title>";
    std::ofstream(base / "web" / "assets" / "app.js") << "console.log(1)";
    std::ofstream(base / "web" / "swagger" / "index.html") << "<!doctype html>";
    std::ofstream(base / "uploads" / "a.png") << "\x89PNG";
    std::ofstream(base / "openapi.yaml") << "openapi: 3.0.3";
    std::ofstream(base / "secret.txt") << kOutsideMarker;
    std::ofstream(base / "web" / ".hidden") << kOutsideMarker;
    return base.string();
}

struct Harness {
    Router router = make_router();
    FixedClockVerifier verifier;
    std::string base = make_static_tree();
    StaticFiles files{StaticSettings{
        .root = base + "/web",
        .openapi_path = base + "/openapi.yaml",
        .app_routes = {"products", "cart"},
        .mounts = {StaticMount{.prefix = "uploads", .directory = base + "/uploads"}}}};
    Pipeline pipeline{
        router,
        verifier,
        &files,
        PipelineSettings{
            .cors_origins = {"https://shop.example"}, .default_body_limit = kDefaultBodyLimit, .access_log = false}};

    Harness() = default;
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;
    ~Harness() {
        std::error_code ignored;
        std::filesystem::remove_all(base, ignored);
    }
};

// Feeds all of `bytes` to the parser as the server's reads would, then the end of the stream.
bool parse_request(
    std::string_view bytes, bhttp::request_parser<bhttp::string_body>& parser, const Pipeline& pipeline
) {
    boost::beast::error_code ec;
    boost::asio::const_buffer buffer(bytes.data(), bytes.size());
    bool limited = false;
    while (buffer.size() > 0 && !parser.is_done()) {
        const auto used = parser.put(buffer, ec);
        if (ec == bhttp::error::need_more) {
            ec = {};
            break;
        }
        if (ec) {
            return false;
        }
        buffer += used;
        if (parser.is_header_done() && !limited) {
            // The server applies the route's own limit once the header says where the request goes.
            limited = true;
            const auto& header = parser.get();
            Request probe;
            probe.target = std::string(header.target());
            if (!parse_target(probe)) {
                return false;
            }
            const auto method =
                parse_method(std::string_view(header.method_string().data(), header.method_string().size()));
            const std::size_t limit = pipeline.body_limit_for(method, probe.path);
            // As the server: a declared length over the limit is refused (413) before any body is read.
            if (parser.content_length() && *parser.content_length() > limit) {
                return false;
            }
            parser.body_limit(limit);
        }
    }
    if (!parser.got_some()) {
        return false;  // nothing parsed: put_eof() requires some input (the server sees a closed connection)
    }
    if (!parser.is_done()) {
        parser.put_eof(ec);
    }
    return !ec && parser.is_done();
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

void check_response(const Response& res) {
    if (res.status < 100 || res.status > 599) {
        std::abort();
    }
    const bool json = res.content_type.rfind("application/json", 0) == 0;
    if (!json && res.body.find(kOutsideMarker) != std::string::npos) {
        std::abort();  // a file from outside the static root, or a hidden one, was served (a 404 may quote the path)
    }
    if (json && !res.body.empty()) {
        std::error_code ec;
        const auto value = boost::json::parse(res.body, ec);
        if (ec || !value.is_object() || !value.as_object().contains("code") ||
            !value.as_object().contains("trace_id")) {
            std::abort();  // not valid JSON, or not the envelope
        }
    }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Harness harness;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (!parse_request(std::string_view(reinterpret_cast<const char*>(data), size), parser, harness.pipeline)) {
        return 0;
    }
    auto message = parser.release();
    Request req;
    req.client_ip = "203.0.113.7";
    req.method = parse_method(std::string_view(message.method_string().data(), message.method_string().size()));
    req.target = std::string(message.target());
    if (!parse_target(req)) {
        return 0;
    }
    for (const auto& field : message) {
        req.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(message.body());

    auto next = harness.pipeline.dispatch(req);
    if (next.response) {
        check_response(*next.response);
    } else if (next.async_route == nullptr) {
        check_response(harness.pipeline.handle(req));
    }
    return 0;
}
