#include "http/pipeline.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/unavailable.hpp"
#include "http/envelope.hpp"

namespace gomall::http {
namespace {

// Accepts "shopper" and "admin" as tokens.
class FixedVerifier final : public ports::AccessTokenVerifier {
public:
    Result<domain::AccessClaims> verify(std::string_view token) const override {
        domain::AccessClaims claims;
        claims.user_id = 7;
        if (token == "shopper") {
            return claims;
        }
        if (token == "admin") {
            claims.role = domain::Role::kAdmin;
            return claims;
        }
        return make_error(ErrorCode::kTokenInvalid, "token is invalid");
    }
};

class PipelineTest : public ::testing::Test {
protected:
    PipelineTest() {
        router_.get(
            "/health",
            [](Request& req) {
                return ok(req, boost::json::object{{"status", "ok"}});
            },
            inline_only()
        );
        RouteOptions auth;
        auth.auth = true;
        router_.get(
            "/api/me",
            [](Request& req) {
                return ok(req, boost::json::object{{"user", req.user_id()}});
            },
            auth
        );
        RouteOptions admin;
        admin.admin = true;
        router_.get(
            "/api/admin/x", [](Request& req) { return ok(req, nullptr); }, admin
        );
        router_.get("/api/boom", [](Request&) -> Response { throw std::runtime_error("secret detail"); });
        router_.get("/api/db-down", [](Request&) -> Response {
            throw DependencyUnavailable("cannot connect to database mysql:shop@10.0.0.9:3306/shop");
        });
        RouteOptions fast;
        fast.fast_path = [this](Request& req) -> std::optional<Response> {
            if (cache_hit_)
                return ok(req, "cached");
            return std::nullopt;
        };
        router_.get(
            "/api/item", [](Request& req) { return ok(req, "slow"); }, fast
        );
        settings_.cors_origins = {"http://localhost:5173"};
        settings_.access_log = false;
    }

    static RouteOptions inline_only() {
        RouteOptions o;
        o.inline_only = true;
        return o;
    }

    Response send(Method method, std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
        Pipeline pipeline(router_, verifier_, nullptr, settings_);
        Request req;
        req.method = method;
        req.path = std::move(path);
        req.headers = std::move(headers);
        return pipeline.handle(req);
    }

    static boost::json::object body(const Response& res) { return boost::json::parse(res.body).as_object(); }

    Router router_;
    FixedVerifier verifier_;
    PipelineSettings settings_;
    bool cache_hit_ = false;
};

TEST_F(PipelineTest, UnknownRoutesGet404Envelopes) {
    auto res = send(Method::kGet, "/api/nothing");
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(body(res).at("code").as_int64(), 404);
    EXPECT_EQ(body(res).at("trace_id").as_string().size(), 32U);
}

TEST_F(PipelineTest, WrongMethodsGet405WithAllowHeader) {
    auto res = send(Method::kPost, "/health");
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.header("Allow"), "GET");
}

TEST_F(PipelineTest, ProtectedRoutesNeedAValidBearerToken) {
    EXPECT_EQ(send(Method::kGet, "/api/me").status, 401);
    EXPECT_EQ(send(Method::kGet, "/api/me", {{"authorization", "Bearer nope"}}).status, 401);
    EXPECT_EQ(body(send(Method::kGet, "/api/me", {{"authorization", "Bearer nope"}})).at("code").as_int64(), 10006);
    auto res = send(Method::kGet, "/api/me", {{"authorization", "Bearer shopper"}});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(body(res).at("data").at("user").as_int64(), 7);
}

TEST_F(PipelineTest, AdminRoutesRefuseShoppersWith403) {
    EXPECT_EQ(send(Method::kGet, "/api/admin/x", {{"authorization", "Bearer shopper"}}).status, 403);
    EXPECT_EQ(send(Method::kGet, "/api/admin/x", {{"authorization", "Bearer admin"}}).status, 200);
}

TEST_F(PipelineTest, ExceptionsBecome500EnvelopesWithoutDetails) {
    auto res = send(Method::kGet, "/api/boom");
    EXPECT_EQ(res.status, 500);
    EXPECT_EQ(res.body.find("secret detail"), std::string::npos);
}

TEST_F(PipelineTest, AnUnreachableDependencyBecomes503WithRetryAfter) {
    auto res = send(Method::kGet, "/api/db-down");
    EXPECT_EQ(res.status, 503);
    EXPECT_EQ(body(res).at("code").as_int64(), 503);
    EXPECT_EQ(res.header("retry-after"), "1");
    EXPECT_EQ(res.body.find("10.0.0.9"), std::string::npos);
}

TEST_F(PipelineTest, ContinuesAnIncomingTraceparent) {
    auto res =
        send(Method::kGet, "/health", {{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
    EXPECT_EQ(body(res).at("trace_id").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(res.header("traceparent").substr(0, 36), "00-4bf92f3577b34da6a3ce929d0e0e4736-");
}

TEST_F(PipelineTest, IgnoresMalformedTraceparent) {
    EXPECT_FALSE(trace_id_from_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
    EXPECT_FALSE(trace_id_from_traceparent("garbage"));
    EXPECT_FALSE(trace_id_from_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
}

TEST_F(PipelineTest, AddsSecurityHeaders) {
    auto res = send(Method::kGet, "/health");
    EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res.header("X-Frame-Options"), "DENY");
}

TEST_F(PipelineTest, AllowsOnlyConfiguredCorsOrigins) {
    auto allowed = send(Method::kGet, "/health", {{"origin", "http://localhost:5173"}});
    EXPECT_EQ(allowed.header("Access-Control-Allow-Origin"), "http://localhost:5173");
    auto other = send(Method::kGet, "/health", {{"origin", "http://evil.example"}});
    EXPECT_TRUE(other.header("Access-Control-Allow-Origin").empty());
    auto preflight = send(
        Method::kOptions, "/api/me", {{"origin", "http://localhost:5173"}, {"access-control-request-method", "GET"}}
    );
    EXPECT_EQ(preflight.status, 204);
}

TEST_F(PipelineTest, InlineAttemptFallsBackWhenTheFastPathMisses) {
    Pipeline pipeline(router_, verifier_, nullptr, settings_);
    Request req;
    req.path = "/api/item";
    EXPECT_FALSE(pipeline.try_inline(req).has_value());
    cache_hit_ = true;
    Request again;
    again.path = "/api/item";
    auto res = pipeline.try_inline(again);
    ASSERT_TRUE(res.has_value());
    EXPECT_NE(res->body.find("cached"), std::string::npos);
    Request health;
    health.path = "/health";
    EXPECT_TRUE(pipeline.try_inline(health).has_value());
    Request me;
    me.path = "/api/me";
    EXPECT_FALSE(pipeline.try_inline(me).has_value());
}

}  // namespace
}  // namespace gomall::http

namespace gomall::http {
namespace {

TEST(PipelineDispatch, HandsCoroutineRoutesToTheServerAfterAuthentication) {
    Router router;
    RouteOptions options;
    options.auth = true;
    router.add_async(
        Method::kPost,
        "/api/async",
        [](Request& req) -> boost::asio::awaitable<Response> { co_return ok(req, "async"); },
        options
    );
    FixedVerifier verifier;
    PipelineSettings settings;
    settings.access_log = false;
    Pipeline pipeline(router, verifier, nullptr, settings);

    Request anonymous;
    anonymous.method = Method::kPost;
    anonymous.path = "/api/async";
    auto refused = pipeline.dispatch(anonymous);
    ASSERT_TRUE(refused.response.has_value());
    EXPECT_EQ(refused.response->status, 401);

    Request signed_in;
    signed_in.method = Method::kPost;
    signed_in.path = "/api/async";
    signed_in.headers.emplace_back("authorization", "Bearer shopper");
    auto next = pipeline.dispatch(signed_in);
    EXPECT_FALSE(next.response.has_value());
    ASSERT_NE(next.async_route, nullptr);
    EXPECT_EQ(signed_in.user_id(), 7);

    const std::runtime_error boom("db exploded");
    auto failed = pipeline.finish_async(signed_in, std::nullopt, &boom, next.started);
    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(failed.body.find("db exploded"), std::string::npos);

    const DependencyUnavailable down("no free database connection");
    auto busy = pipeline.finish_async(signed_in, std::nullopt, &down, next.started);
    EXPECT_EQ(busy.status, 503);
    EXPECT_EQ(busy.header("Retry-After"), "1");

    // an open circuit breaker knows how long: the client is told, never less than a second
    const DependencyUnavailable open("circuit breaker 'redis' is open", std::chrono::seconds(9));
    EXPECT_EQ(pipeline.finish_async(signed_in, std::nullopt, &open, next.started).header("Retry-After"), "9");
    const DependencyUnavailable now("circuit breaker 'redis' is open", std::chrono::seconds(0));
    EXPECT_EQ(pipeline.finish_async(signed_in, std::nullopt, &now, next.started).header("Retry-After"), "1");
}

}  // namespace
}  // namespace gomall::http
