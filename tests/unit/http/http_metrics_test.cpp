#include "http/http_metrics.hpp"

#include <gtest/gtest.h>

#include "http/envelope.hpp"
#include "http/pipeline.hpp"
#include "support/recording_metrics.hpp"

namespace gomall::http {
namespace {

class AnyToken final : public ports::AccessTokenVerifier {
public:
    Result<domain::AccessClaims> verify(std::string_view /*token*/) const override {
        return make_error(ErrorCode::kTokenInvalid, "token is invalid");
    }
};

class HttpMetricsTest : public ::testing::Test {
protected:
    HttpMetricsTest() {
        router_.get("/api/product/:id", [](Request& req) { return ok(req, boost::json::object{{"id", 1}}); });
        router_.post("/api/order", [](Request& req) {
            Response res = ok(req, nullptr);
            res.status = 201;
            return res;
        });
        RouteOptions auth;
        auth.auth = true;
        router_.get(
            "/api/me", [](Request& req) { return ok(req, nullptr); }, auth
        );
        metrics_ = std::make_unique<HttpMetrics>(recorded_, router_);
        PipelineSettings settings;
        settings.access_log = false;
        pipeline_ = std::make_unique<Pipeline>(router_, verifier_, nullptr, settings, metrics_.get());
    }

    Response call(Method method, std::string target, std::string body = {}) {
        Request req;
        req.method = method;
        req.target = std::move(target);
        req.body = std::move(body);
        EXPECT_TRUE(parse_target(req));
        return pipeline_->handle(req);
    }

    double requests(const std::string& route, const std::string& method, const std::string& status) {
        return recorded_.value("gomall_http_requests_total", {route, method, status});
    }

    Router router_;
    AnyToken verifier_;
    testing::RecordingMetrics recorded_;
    std::unique_ptr<HttpMetrics> metrics_;
    std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(HttpMetricsTest, CountsAnswersByRouteTemplateMethodAndStatus) {
    call(Method::kGet, "/api/product/1");
    call(Method::kGet, "/api/product/2?x=1");
    call(Method::kPost, "/api/order", R"({"product_id":1})");
    call(Method::kGet, "/api/me");  // no token: 401 on the route's own label

    EXPECT_EQ(requests("/api/product/:id", "GET", "200"), 2);
    EXPECT_EQ(requests("/api/order", "POST", "201"), 1);
    EXPECT_EQ(requests("/api/me", "GET", "401"), 1);
    EXPECT_EQ(recorded_.observations("gomall_http_request_duration_seconds", {"/api/product/:id", "GET"}).size(), 2U);
    EXPECT_EQ(recorded_.value("gomall_http_request_body_bytes_total", {"/api/order"}), 16);
    EXPECT_GT(recorded_.value("gomall_http_response_body_bytes_total", {"/api/product/:id"}), 0);
}

TEST_F(HttpMetricsTest, RequestsThatReachNoRouteShareOneLabelWhateverTheirPath) {
    call(Method::kGet, "/api/nothing/here");
    call(Method::kGet, "/api/" + std::string(500, 'x'));
    call(Method::kDelete, "/api/product/1");  // 405
    call(Method::kOptions, "/api/order");

    EXPECT_EQ(requests("(none)", "GET", "404"), 2);
    EXPECT_EQ(requests("(none)", "DELETE", "405"), 1);
    for (const auto& labels : recorded_.children("gomall_http_requests_total")) {
        EXPECT_TRUE(labels[0] == "(none)" || labels[0].rfind("/api/", 0) == 0) << labels[0];
        EXPECT_LT(labels[0].size(), 40U) << "a raw path became a label";
    }
}

TEST_F(HttpMetricsTest, RouteTemplatesNeverCarryTheIdsClientsSend) {
    for (int id = 1; id <= 50; ++id) {
        call(Method::kGet, "/api/product/" + std::to_string(id * 7919));
    }
    const auto children = recorded_.children("gomall_http_requests_total");
    ASSERT_EQ(children.size(), 1U);
    EXPECT_EQ(children[0], (ports::LabelValues{"/api/product/:id", "GET", "200"}));
}

TEST_F(HttpMetricsTest, InFlightConnectionsAndRefusalsGoUpAndDown) {
    metrics_->request_started();
    metrics_->request_started();
    metrics_->request_finished();
    metrics_->connection_opened();
    metrics_->connection_refused();
    EXPECT_EQ(recorded_.value("gomall_http_requests_in_flight"), 1);
    EXPECT_EQ(recorded_.value("gomall_http_connections_open"), 1);
    EXPECT_EQ(recorded_.value("gomall_http_connections_refused_total"), 1);
}

TEST_F(HttpMetricsTest, AStatusOutsideHttpsRangeIsClampedNotOutOfBounds) {
    Request req;
    req.route_index = 0;
    metrics_->record(req, 42, 0, 0.001);
    metrics_->record(req, 9999, 0, 0.001);
    EXPECT_EQ(requests("/api/product/:id", "GET", "100"), 1);
    EXPECT_EQ(requests("/api/product/:id", "GET", "599"), 1);
    req.route_index = 1000;  // a route registered after the metrics were built
    metrics_->record(req, 200, 0, 0.001);
    EXPECT_EQ(requests("(none)", "GET", "200"), 1);
}

}  // namespace
}  // namespace gomall::http
