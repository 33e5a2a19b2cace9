// /ready is public: it says which dependency is down, never the reason (hosts, users, server errors).
#include "http/handlers/ops_handlers.hpp"

#include <gtest/gtest.h>

#include "core/time.hpp"
#include "http/router.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "services/circuit_breaker.hpp"

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

/// A clock that stands still, and metrics that go nowhere: enough to put breakers in given states.
class StillClock final : public ports::Clock {
public:
    TimePoint now() const override { return from_unix_seconds(1'800'000'000); }
};

TEST(OpsHandlersTest, ReadyListsEveryBreakerAndStaysReadyWhenOneIsOpen) {
    StillClock clock;
    ports::NullMetrics metrics;
    services::BreakerSettings settings;
    settings.failure_threshold = 1;
    services::CircuitBreaker payment("payment", settings, clock, metrics);
    services::CircuitBreaker redis("redis", settings, clock, metrics);
    payment.try_call()->failed();  // open
    FixedCheck database("database", "");
    Router router;
    register_ops_routes(router, {&database}, VersionInfo{"1", "abc", "Debug"}, {&payment, &redis});
    Request req;
    req.trace_id = std::string(32, 'a');
    const auto res = router.match(Method::kGet, "/ready").route->handler(req);
    // Every instance shares the payment provider: unready instances would not route around it.
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_NE(res.body.find(R"("breakers":{"payment":"open","redis":"closed"})"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find("\"database\":\"ok\""), std::string::npos) << res.body;
}

TEST(OpsHandlersTest, ReadyWithoutBreakersHasNoBreakersEntry) {
    FixedCheck database("database", "");
    const auto res = ready({&database});
    EXPECT_EQ(res.body.find("breakers"), std::string::npos) << res.body;
}

TEST(OpsHandlersTest, ABreakerIsListedAlsoWhenADependencyIsDown) {
    StillClock clock;
    ports::NullMetrics metrics;
    services::CircuitBreaker redis("redis", services::BreakerSettings{}, clock, metrics);
    FixedCheck redis_check("redis", "no connection to redis");
    Router router;
    register_ops_routes(router, {&redis_check}, VersionInfo{"1", "abc", "Debug"}, {&redis});
    Request req;
    req.trace_id = std::string(32, 'a');
    const auto res = router.match(Method::kGet, "/ready").route->handler(req);
    EXPECT_EQ(res.status, 503);
    EXPECT_NE(res.body.find(R"("breakers":{"redis":"closed"})"), std::string::npos) << res.body;
}

}  // namespace
}  // namespace gomall::http
