// /ready is public: it says which dependency is down, never the reason (hosts, users, server errors).
#include "http/handlers/ops_handlers.hpp"

#include <gtest/gtest.h>

#include "http/router.hpp"

namespace gomall::http {
namespace {

class FixedCheck final : public ports::HealthCheck {
public:
    FixedCheck(std::string name, std::string problem) : name_(std::move(name)), problem_(std::move(problem)) {}
    std::string name() const override { return name_; }
    std::string check() override { return problem_; }

private:
    std::string name_;
    std::string problem_;
};

Response ready(std::vector<ports::HealthCheck*> checks) {
    Router router;
    register_ops_routes(router, std::move(checks), VersionInfo{"1", "abc", "Debug"});
    const auto match = router.match(Method::kGet, "/ready");
    EXPECT_EQ(match.kind, RouteMatch::Kind::kFound);
    Request req;
    req.trace_id = std::string(32, 'a');
    return match.route->handler(req);
}

TEST(OpsHandlersTest, ReadyNamesTheFailingDependencyButNotWhy) {
    FixedCheck database("database", "cannot connect to database mysql:shop@10.0.0.9:3306/shop: Access denied");
    FixedCheck redis("redis", "");
    const auto res = ready({&database, &redis});
    EXPECT_EQ(res.status, 503);
    EXPECT_NE(res.body.find("\"database\":\"unavailable\""), std::string::npos) << res.body;
    EXPECT_NE(res.body.find("\"redis\":\"ok\""), std::string::npos) << res.body;
    EXPECT_EQ(res.body.find("10.0.0.9"), std::string::npos) << res.body;
    EXPECT_EQ(res.body.find("denied"), std::string::npos) << res.body;
}

TEST(OpsHandlersTest, ReadyIsOkWhenEveryCheckPasses) {
    FixedCheck database("database", "");
    const auto res = ready({&database});
    EXPECT_EQ(res.status, 200);
    EXPECT_NE(res.body.find("\"database\":\"ok\""), std::string::npos) << res.body;
}

}  // namespace
}  // namespace gomall::http
