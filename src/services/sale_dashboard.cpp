// Implementation of the dashboard's figures. Rates are increases over a window divided by the
// window's length in seconds; quantiles come from the increase of the histogram buckets over it.
#include "services/sale_dashboard.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "services/histogram_quantile.hpp"

namespace gomall::services {
namespace {

namespace names = dashboard_metrics;

constexpr std::size_t kMaxRoutes = 200;  // route templates are few; this only bounds the answer

Figure figure(double value) {
    return std::isnan(value) ? Figure{} : Figure{value};
}

std::int64_t unix_ms(TimePoint at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

/// Two samples a rate is computed between.
struct Span {
    std::size_t from = 0;
    std::size_t to = 0;
    double seconds = 0;
};

/// The oldest sample no more than `window_seconds` before the newest, and the newest.
std::optional<Span> window_span(const MetricsHistory& history, int window_seconds) {
    if (history.size() < 2) {
        return std::nullopt;
    }
    const std::size_t to = history.size() - 1;
    const std::int64_t oldest = history.at_ms(to) - std::int64_t{window_seconds} * 1000;
    std::size_t from = to - 1;
    while (from > 0 && history.at_ms(from - 1) >= oldest) {
        --from;
    }
    const double seconds = static_cast<double>(history.at_ms(to) - history.at_ms(from)) / 1000.0;
    if (!(seconds > 0)) {
        return std::nullopt;
    }
    return Span{from, to, seconds};
}

std::optional<Span> interval_span(const MetricsHistory& history, std::size_t to) {
    const double seconds = static_cast<double>(history.at_ms(to) - history.at_ms(to - 1)) / 1000.0;
    if (!(seconds > 0)) {
        return std::nullopt;
    }
    return Span{to - 1, to, seconds};
}

/// A counter's growth between the span's ends; a series that did not exist yet at the start
/// was created inside the span, from zero.
double increase(const MetricsHistory& history, const SeriesSelection& selection, const Span& span) {
    const double later = history.sum(selection, span.to);
    double earlier = history.sum(selection, span.from);
    if (std::isnan(earlier) && !std::isnan(later)) {
        earlier = 0;
    }
    return counter_increase(earlier, later);
}

Figure rate(const MetricsHistory& history, const SeriesSelection& selection, const std::optional<Span>& span) {
    if (selection.empty() || !span) {
        return std::nullopt;
    }
    return figure(increase(history, selection, *span) / span->seconds);
}

std::vector<double> bucket_growth(const MetricsHistory& history, const SeriesSelection& selection, const Span& span) {
    auto later = history.buckets(selection, span.to);
    const auto earlier = history.buckets(selection, span.from);
    if (earlier.empty()) {
        return later;
    }
    return bucket_increase(earlier, later);
}

Figure quantile(
    double q,
    const MetricsHistory& history,
    const SeriesSelection& selection,
    const std::vector<double>& bounds,
    const std::optional<Span>& span
) {
    if (selection.empty() || !span) {
        return std::nullopt;
    }
    return histogram_quantile(q, bounds, bucket_growth(history, selection, *span));
}

Figure latest(const MetricsHistory& history, const SeriesSelection& selection) {
    if (selection.empty() || history.size() == 0) {
        return std::nullopt;
    }
    return figure(history.sum(selection, history.size() - 1));
}

std::vector<std::int64_t> interval_ends(const MetricsHistory& history) {
    std::vector<std::int64_t> out;
    for (std::size_t i = 1; i < history.size(); ++i) {
        out.push_back(history.at_ms(i));
    }
    return out;
}

FigureLine rate_line(const MetricsHistory& history, const SeriesSelection& selection) {
    FigureLine line;
    for (std::size_t i = 1; i < history.size(); ++i) {
        line.push_back(rate(history, selection, interval_span(history, i)));
    }
    return line;
}

FigureLine value_line(const MetricsHistory& history, const SeriesSelection& selection) {
    FigureLine line;
    for (std::size_t i = 1; i < history.size(); ++i) {
        line.push_back(selection.empty() ? Figure{} : figure(history.sum(selection, i)));
    }
    return line;
}

FigureLine quantile_line(
    double q, const MetricsHistory& history, const SeriesSelection& selection, const std::vector<double>& bounds
) {
    FigureLine line;
    for (std::size_t i = 1; i < history.size(); ++i) {
        line.push_back(quantile(q, history, selection, bounds, interval_span(history, i)));
    }
    return line;
}

void merge(SeriesSelection& into, const SeriesSelection& from) {
    into.width = from.width;
    into.offsets.insert(into.offsets.end(), from.offsets.begin(), from.offsets.end());
}

bool is_server_error(std::string_view status) {
    return !status.empty() && status.front() == '5';
}

/// A family's series for one activity; a family without an activity label is shop-wide (the
/// queue is shared by every activity) and counts whole.
SeriesSelection for_activity(const MetricsHistory& history, const std::string& family, const std::string& activity) {
    if (history.has_label(family, "activity")) {
        return history.select(family, {{"activity", activity}});
    }
    return history.select(family);
}

}  // namespace

SaleDashboard::SaleDashboard(DashboardSettings settings)
    : settings_(settings),
      history_(
          [&settings] {
              if (settings.sample_interval.count() <= 0 || settings.history.count() <= 0) {
                  throw std::invalid_argument("the dashboard needs a positive sample interval and history");
              }
              const auto interval_ms = settings.sample_interval.count();
              const auto history_ms = std::chrono::milliseconds(settings.history).count();
              // One more sample than intervals, so the oldest interval still has its start.
              return static_cast<std::size_t>((history_ms + interval_ms - 1) / interval_ms) + 1;
          }(),
          settings.max_values_per_sample
      ) {}

bool SaleDashboard::wanted(const std::string& family) {
    return family.starts_with("gomall_http_") || family.starts_with("gomall_seckill_");
}

void SaleDashboard::record(const std::vector<ports::MetricFamilyValues>& families, TimePoint at) {
    std::vector<ports::MetricFamilyValues> kept;
    for (const auto& family : families) {
        if (wanted(family.name)) {
            kept.push_back(family);
        }
    }
    {
        const std::lock_guard lock(mutex_);
        history_.record(kept, unix_ms(at));
    }
    recorded_.fetch_add(1, std::memory_order_release);
}

ShopDashboard SaleDashboard::shop(int window_seconds) const {
    ShopDashboard out;
    out.window_seconds = std::clamp(window_seconds, 1, max_window_seconds());
    const std::lock_guard lock(mutex_);
    const auto& h = history_;
    if (h.size() > 0) {
        out.sampled_at_ms = h.at_ms(h.size() - 1);
    }
    const auto span = window_span(h, out.window_seconds);

    const auto all = h.select(names::kHttpRequests);
    SeriesSelection errors;
    struct RouteSeries {
        SeriesSelection all;
        SeriesSelection errors;
        SeriesSelection duration;
    };
    std::map<std::pair<std::string, std::string>, RouteSeries> routes;
    for (const auto& group : h.group(names::kHttpRequests, {"route", "method", "status"})) {
        auto& route = routes[{group.key[0], group.key[1]}];
        merge(route.all, group.selection);
        if (is_server_error(group.key[2])) {
            merge(route.errors, group.selection);
            merge(errors, group.selection);
        }
    }
    errors.width = 1;
    const auto duration = h.select(names::kHttpDuration);
    const auto bounds = h.bounds(names::kHttpDuration);
    for (const auto& group : h.group(names::kHttpDuration, {"route", "method"})) {
        routes[{group.key[0], group.key[1]}].duration = group.selection;
    }

    out.request_rate = rate(h, all, span);
    // No 5xx series yet while requests exist means no errors: zero, not "no data".
    const bool requests_known = !all.empty();
    out.error_rate = errors.empty() ? (requests_known && span ? Figure{0.0} : Figure{}) : rate(h, errors, span);
    if (out.request_rate && out.error_rate && *out.request_rate > 0) {
        out.error_ratio = *out.error_rate / *out.request_rate;
    }
    out.p50_seconds = quantile(0.5, h, duration, bounds, span);
    out.p99_seconds = quantile(0.99, h, duration, bounds, span);
    out.in_flight = latest(h, h.select(names::kHttpInFlight));
    out.connections_open = latest(h, h.select(names::kHttpConnections));

    for (const auto& [key, series] : routes) {
        RouteFigures figures;
        figures.route = key.first;
        figures.method = key.second;
        figures.requests = latest(h, series.all);
        figures.request_rate = rate(h, series.all, span);
        figures.error_rate = series.errors.empty() ? (series.all.empty() || !span ? Figure{} : Figure{0.0})
                                                   : rate(h, series.errors, span);
        figures.p99_seconds = quantile(0.99, h, series.duration, bounds, span);
        out.routes.push_back(std::move(figures));
    }
    std::stable_sort(out.routes.begin(), out.routes.end(), [](const RouteFigures& a, const RouteFigures& b) {
        return a.request_rate.value_or(-1) > b.request_rate.value_or(-1);
    });
    if (out.routes.size() > kMaxRoutes) {
        out.routes.resize(kMaxRoutes);
    }

    out.at_ms = interval_ends(h);
    out.request_rate_line = rate_line(h, all);
    out.error_rate_line =
        errors.empty() ? FigureLine(out.at_ms.size(), requests_known ? Figure{0.0} : Figure{}) : rate_line(h, errors);
    out.p99_line = quantile_line(0.99, h, duration, bounds);
    return out;
}

SeckillDashboard SaleDashboard::seckill(std::int64_t activity_id, int window_seconds) const {
    SeckillDashboard out;
    out.activity_id = activity_id;
    out.window_seconds = std::clamp(window_seconds, 1, max_window_seconds());
    const std::string activity = std::to_string(activity_id);
    const std::lock_guard lock(mutex_);
    const auto& h = history_;
    if (h.size() > 0) {
        out.sampled_at_ms = h.at_ms(h.size() - 1);
    }
    const auto span = window_span(h, out.window_seconds);

    const auto units_left = for_activity(h, names::kSeckillUnitsLeft, activity);
    const auto queue_depth = for_activity(h, names::kSeckillQueueDepth, activity);
    const auto sse_clients = for_activity(h, names::kSeckillSseClients, activity);
    const auto orders = for_activity(h, names::kSeckillOrdersWritten, activity);
    const auto handoff = for_activity(h, names::kSeckillHandoff, activity);
    const auto handoff_bounds = h.bounds(names::kSeckillHandoff);

    out.units_left = latest(h, units_left);
    out.queue_depth = latest(h, queue_depth);
    out.sse_clients = latest(h, sse_clients);
    out.orders_written = latest(h, orders);
    out.orders_written_rate = rate(h, orders, span);
    out.handoff_p50_seconds = quantile(0.5, h, handoff, handoff_bounds, span);
    out.handoff_p99_seconds = quantile(0.99, h, handoff, handoff_bounds, span);
    if (!handoff.empty() && span) {
        const auto growth = bucket_growth(h, handoff, *span);
        if (!growth.empty()) {
            out.handoff_count = growth.back();
        }
    }

    const LabelMatch this_activity{{"activity", activity}};
    for (const auto& group : h.group(names::kSeckillAttempts, {"outcome"}, this_activity)) {
        OutcomeFigures figures;
        figures.outcome = group.key[0];
        figures.total = latest(h, group.selection);
        figures.rate = rate(h, group.selection, span);
        figures.rate_line = rate_line(h, group.selection);
        out.attempts.push_back(std::move(figures));
    }

    out.at_ms = interval_ends(h);
    out.units_left_line = value_line(h, units_left);
    out.queue_depth_line = value_line(h, queue_depth);
    out.orders_written_rate_line = rate_line(h, orders);
    out.handoff_p50_line = quantile_line(0.5, h, handoff, handoff_bounds);
    out.handoff_p99_line = quantile_line(0.99, h, handoff, handoff_bounds);
    return out;
}

}  // namespace gomall::services
