// Which requests each limit covers, and the 429 they get.
#include "http/rate_limit_gate.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "http/client_address.hpp"
#include "http/envelope.hpp"
#include "services/rate_limit_metrics.hpp"

namespace gomall::http {
namespace {

// The router skips empty segments ("//api//cart" reaches /api/cart), so the first non-empty segment
// decides, or doubled slashes would walk past the API limit.
bool is_api_path(std::string_view path) {
    const auto first = path.find_first_not_of('/');
    if (first == std::string_view::npos) {
        return false;
    }
    const std::string_view segment = path.substr(first, path.find('/', first) - first);
    return segment == "api";
}

Response too_many(const Request& req, const services::RateDecision& decision, std::string message) {
    Response res = error_response(req, ErrorCode::kTooManyRequests, std::move(message));
    res.set_header("Retry-After", std::to_string(decision.retry_after_seconds()));
    return res;
}

}  // namespace

RateLimitGate::RateLimitGate(const ports::Clock& clock, RateLimitGateSettings settings, ports::Metrics& metrics)
    : settings_(std::move(settings)) {
    if (settings_.global) {
        global_.emplace(clock, *settings_.global, &services::rate_limited_counter(metrics, "global"));
    }
    if (settings_.api) {
        api_.emplace(clock, *settings_.api, &services::rate_limited_counter(metrics, "api"));
        api_clients_ = metrics.callback_gauge(
            "gomall_rate_limit_api_clients",
            "Client addresses the API rate limit tracks now (bounded by rate_limit.api_max_keys).",
            [this] { return static_cast<double>(api_->tracked_keys()); }
        );
    }
}

bool RateLimitGate::exempt(const std::vector<std::string>& paths, const std::string& path) const {
    return std::find(paths.begin(), paths.end(), path) != paths.end();
}

std::optional<Response> RateLimitGate::check(const Request& req) {
    if (exempt(settings_.exempt_paths, req.path)) {
        return std::nullopt;
    }
    if (api_ && is_api_path(req.path) && !exempt(settings_.api_exempt_paths, req.path)) {
        if (const auto decision = api_->try_acquire(client_rate_key(req.client_ip)); !decision) {
            return too_many(req, decision, "too many requests from your address; slow down and try again shortly");
        }
    }
    if (global_) {
        if (const auto decision = global_->try_acquire(); !decision) {
            return too_many(req, decision, "the shop is receiving more requests than it can take; try again shortly");
        }
    }
    return std::nullopt;
}

}  // namespace gomall::http
