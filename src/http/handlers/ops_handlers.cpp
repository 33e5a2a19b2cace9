#include "http/handlers/ops_handlers.hpp"

#include <spdlog/spdlog.h>

#include "http/envelope.hpp"

namespace gomall::http {

void register_ops_routes(
    Router& router,
    std::vector<ports::HealthCheck*> checks,
    VersionInfo version,
    std::vector<services::CircuitBreaker*> breakers
) {
    RouteOptions inline_route;
    inline_route.inline_only = true;

    // Answered on the I/O thread with no I/O: it says the process serves HTTP, nothing more.
    router.get(
        "/health", [](Request& req) { return ok_encoded(req, R"({"status":"ok"})"); }, inline_route
    );

    router.get(
        "/version",
        [version](Request& req) {
            return ok(
                req,
                boost::json::object{
                    {"version", version.version}, {"commit", version.commit}, {"build_type", version.build_type}}
            );
        },
        inline_route
    );

    // Runs on the blocking pool: each check may touch the network.
    router.get("/ready", [checks = std::move(checks), breakers = std::move(breakers)](Request& req) {
        boost::json::object status;
        // Shown, but never a reason to be unready: every instance shares the dependency a breaker
        // guards, so taking this one out of the load balancer would not route around the outage;
        // it would turn "no payments for a while" into "no shop". The breaker already answers
        // the calls that need the dependency at once with 503 and Retry-After.
        if (!breakers.empty()) {
            boost::json::object states;
            for (auto* breaker : breakers) {
                states[breaker->name()] = breaker_state_name(breaker->state());
            }
            status["breakers"] = std::move(states);
        }
        std::string failed;
        for (auto* check : checks) {
            std::string problem;
            try {
                problem = check->check();
            } catch (const std::exception& e) {
                problem = e.what();
            }
            // The reason names hosts, users and server errors: it goes to the log, with the trace
            // id; the probe, which anyone may call, only learns which dependency is down.
            if (!problem.empty()) {
                spdlog::warn("not ready: {}: {}", check->name(), problem);
            }
            status[check->name()] = problem.empty() ? "ok" : "unavailable";
            if (!problem.empty()) {
                failed += (failed.empty() ? "" : ", ") + check->name();
            }
        }
        if (!failed.empty()) {
            boost::json::object envelope;
            Response res = error_response(req, ErrorCode::kUnavailable, "not ready: " + failed + " unreachable");
            // The per-dependency status stays in data so operators see which one failed.
            envelope["code"] = static_cast<int>(ErrorCode::kUnavailable);
            envelope["message"] = "not ready: " + failed + " unreachable";
            envelope["data"] = status;
            envelope["trace_id"] = req.trace_id;
            res.body = serialize_json(envelope);
            return res;
        }
        return ok(req, status);
    });
}

}  // namespace gomall::http
