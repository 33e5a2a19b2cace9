#include "http/router.hpp"

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

Handler named(std::string name) {
    return [name](Request&) {
        Response r;
        r.body = name;
        return r;
    };
}

std::string run(const RouteMatch& m) {
    Request req;
    return m.route->handler(req).body;
}

TEST(Router, MatchesLiteralAndParameterSegments) {
    Router router;
    router.get("/api/order/:order_no", named("detail"));
    router.post("/api/order/:order_no/pay", named("pay"));
    auto m = router.match(Method::kPost, "/api/order/ORD123/pay");
    ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(run(m), "pay");
    ASSERT_EQ(m.params.size(), 1U);
    EXPECT_EQ(m.params[0].first, "order_no");
    EXPECT_EQ(m.params[0].second, "ORD123");
}

TEST(Router, PrefersLiteralSegmentsOverParameters) {
    Router router;
    router.post("/api/order/:order_no", named("param"));
    router.post("/api/order/checkout", named("checkout"));
    EXPECT_EQ(run(router.match(Method::kPost, "/api/order/checkout")), "checkout");
    EXPECT_EQ(run(router.match(Method::kPost, "/api/order/ORD1")), "param");
}

TEST(Router, ReportsMethodNotAllowedWithTheAllowedMethods) {
    Router router;
    router.get("/api/cart", named("list"));
    router.post("/api/cart", named("add"));
    auto m = router.match(Method::kPatch, "/api/cart");
    EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
    EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Router, ReportsNotFoundForUnknownPaths) {
    Router router;
    router.get("/api/product/:id", named("detail"));
    EXPECT_EQ(router.match(Method::kGet, "/api/product").kind, RouteMatch::Kind::kNotFound);
    EXPECT_EQ(router.match(Method::kGet, "/api/product/1/extra").kind, RouteMatch::Kind::kNotFound);
}

TEST(Router, HeadMatchesGetRoutesAndTrailingSlashesAreIgnored) {
    Router router;
    router.get("/health", named("health"));
    EXPECT_EQ(router.match(Method::kHead, "/health").kind, RouteMatch::Kind::kFound);
    EXPECT_EQ(router.match(Method::kGet, "/health/").kind, RouteMatch::Kind::kFound);
}

TEST(Router, RefusesDuplicateRoutes) {
    Router router;
    router.get("/a/:x", named("1"));
    EXPECT_THROW(router.get("/a/:y", named("2")), std::invalid_argument);
}

TEST(Router, AdminRoutesAlsoRequireAuthentication) {
    Router router;
    RouteOptions options;
    options.admin = true;
    router.get("/api/admin/x", named("x"), options);
    EXPECT_TRUE(router.routes().front().options.auth);
}

}  // namespace
}  // namespace gomall::http
