// Converts the dashboard's plain figures into the JSON the admin web UI reads.
#include "http/handlers/dashboard_views.hpp"

#include <cmath>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace gomall::http {
namespace {

boost::json::value figure_json(const services::Figure& figure) {
    if (!figure || !std::isfinite(*figure)) {
        return nullptr;
    }
    return *figure;
}

boost::json::array line_json(const services::FigureLine& line) {
    boost::json::array out;
    out.reserve(line.size());
    for (const auto& figure : line) {
        out.push_back(figure_json(figure));
    }
    return out;
}

boost::json::array times_json(const std::vector<std::int64_t>& at_ms) {
    boost::json::array out;
    out.reserve(at_ms.size());
    for (const auto at : at_ms) {
        out.push_back(at);
    }
    return out;
}

boost::json::value sampled_at_json(const std::optional<std::int64_t>& at) {
    if (!at) {
        return nullptr;
    }
    return *at;
}

}  // namespace

boost::json::object shop_dashboard_json(const services::ShopDashboard& view, int interval_ms) {
    boost::json::array routes;
    routes.reserve(view.routes.size());
    for (const auto& route : view.routes) {
        routes.push_back(boost::json::object{
            {"route", route.route},
            {"method", route.method},
            {"requests", figure_json(route.requests)},
            {"request_rate", figure_json(route.request_rate)},
            {"error_rate", figure_json(route.error_rate)},
            {"p99_seconds", figure_json(route.p99_seconds)},
        });
    }
    boost::json::object series{
        {"at_ms", times_json(view.at_ms)},
        {"request_rate", line_json(view.request_rate_line)},
        {"error_rate", line_json(view.error_rate_line)},
        {"p99_seconds", line_json(view.p99_line)},
    };
    return boost::json::object{
        {"sampled_at_ms", sampled_at_json(view.sampled_at_ms)},
        {"interval_ms", interval_ms},
        {"window_seconds", view.window_seconds},
        {"request_rate", figure_json(view.request_rate)},
        {"error_rate", figure_json(view.error_rate)},
        {"error_ratio", figure_json(view.error_ratio)},
        {"p50_seconds", figure_json(view.p50_seconds)},
        {"p99_seconds", figure_json(view.p99_seconds)},
        {"in_flight", figure_json(view.in_flight)},
        {"connections_open", figure_json(view.connections_open)},
        {"routes", std::move(routes)},
        {"series", std::move(series)},
    };
}

boost::json::object seckill_dashboard_json(const services::SeckillDashboard& view, int interval_ms) {
    boost::json::array attempts;
    boost::json::object attempt_lines;
    attempts.reserve(view.attempts.size());
    for (const auto& outcome : view.attempts) {
        attempts.push_back(boost::json::object{
            {"outcome", outcome.outcome},
            {"total", figure_json(outcome.total)},
            {"rate", figure_json(outcome.rate)},
        });
        attempt_lines[outcome.outcome] = line_json(outcome.rate_line);
    }
    boost::json::object series{
        {"at_ms", times_json(view.at_ms)},
        {"units_left", line_json(view.units_left_line)},
        {"queue_depth", line_json(view.queue_depth_line)},
        {"orders_written_rate", line_json(view.orders_written_rate_line)},
        {"handoff_p50_seconds", line_json(view.handoff_p50_line)},
        {"handoff_p99_seconds", line_json(view.handoff_p99_line)},
        {"attempt_rate", std::move(attempt_lines)},
    };
    return boost::json::object{
        {"activity_id", view.activity_id},
        {"sampled_at_ms", sampled_at_json(view.sampled_at_ms)},
        {"interval_ms", interval_ms},
        {"window_seconds", view.window_seconds},
        {"units_left", figure_json(view.units_left)},
        {"queue_depth", figure_json(view.queue_depth)},
        {"sse_clients", figure_json(view.sse_clients)},
        {"orders_written", figure_json(view.orders_written)},
        {"orders_written_rate", figure_json(view.orders_written_rate)},
        {"handoff",
         boost::json::object{
             {"p50_seconds", figure_json(view.handoff_p50_seconds)},
             {"p99_seconds", figure_json(view.handoff_p99_seconds)},
             {"count", figure_json(view.handoff_count)},
         }},
        {"attempts", std::move(attempts)},
        {"series", std::move(series)},
    };
}

}  // namespace gomall::http
