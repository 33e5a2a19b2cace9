// The live sale dashboard's figures: request rate, error rate and p99 by route for the whole shop,
// and per flash-sale activity units left, attempts per second by outcome, queued-to-durable
// latency, orders written and queue depth. Computed here, from a short history of metric
// snapshots (one per sample interval), so every viewer sees the same rates over the same window.
// A figure whose metric is not (yet) registered is nullopt: "no data", never a made-up zero.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "ports/metrics_reader.hpp"
#include "services/metrics_history.hpp"

namespace gomall::services {

/// The metric names the dashboard reads (registered by the HTTP layer and the flash sale).
namespace dashboard_metrics {
inline constexpr const char* kHttpRequests = "gomall_http_requests_total";            // route, method, status
inline constexpr const char* kHttpDuration = "gomall_http_request_duration_seconds";  // route, method
inline constexpr const char* kHttpInFlight = "gomall_http_requests_in_flight";
inline constexpr const char* kHttpConnections = "gomall_http_connections_open";
inline constexpr const char* kSeckillAttempts = "gomall_seckill_attempts_total";  // activity, outcome
inline constexpr const char* kSeckillUnitsLeft = "gomall_seckill_units_left";     // activity
inline constexpr const char* kSeckillQueueDepth = "gomall_seckill_queue_depth";
inline constexpr const char* kSeckillHandoff = "gomall_seckill_handoff_seconds";             // histogram
inline constexpr const char* kSeckillOrdersWritten = "gomall_seckill_orders_written_total";  // activity
inline constexpr const char* kSeckillSseClients = "gomall_seckill_sse_clients";
}  // namespace dashboard_metrics

struct DashboardSettings {
    std::chrono::milliseconds sample_interval{1000};
    std::chrono::seconds history{300};
    std::size_t max_values_per_sample = 4096;  // caps the history's memory (8 bytes each per sample)
};

using Figure = std::optional<double>;
/// One figure per sample interval, aligned with DashboardSeries::at_ms.
using FigureLine = std::vector<Figure>;

struct RouteFigures {
    std::string route;
    std::string method;
    Figure requests;      // answered since the start
    Figure request_rate;  // per second over the window
    Figure error_rate;    // 5xx answers per second over the window
    Figure p99_seconds;   // over the window
};

struct ShopDashboard {
    std::optional<std::int64_t> sampled_at_ms;  // the newest sample; nullopt before the first
    int window_seconds = 0;
    Figure request_rate;
    Figure error_rate;
    Figure error_ratio;  // 5xx / all, over the window
    Figure p50_seconds;
    Figure p99_seconds;
    Figure in_flight;
    Figure connections_open;
    std::vector<RouteFigures> routes;  // busiest first
    std::vector<std::int64_t> at_ms;   // end of each interval of the lines below
    FigureLine request_rate_line;
    FigureLine error_rate_line;
    FigureLine p99_line;
};

struct OutcomeFigures {
    std::string outcome;
    Figure total;  // since the start
    Figure rate;   // per second over the window
    FigureLine rate_line;
};

struct SeckillDashboard {
    std::int64_t activity_id = 0;
    std::optional<std::int64_t> sampled_at_ms;
    int window_seconds = 0;
    Figure units_left;
    Figure queue_depth;
    Figure sse_clients;
    Figure orders_written;  // since the start
    Figure orders_written_rate;
    Figure handoff_p50_seconds;  // queued answer to durable order, over the window
    Figure handoff_p99_seconds;
    Figure handoff_count;                  // hand-offs measured in the window
    std::vector<OutcomeFigures> attempts;  // by outcome name
    std::vector<std::int64_t> at_ms;
    FigureLine units_left_line;
    FigureLine queue_depth_line;
    FigureLine orders_written_rate_line;
    FigureLine handoff_p50_line;
    FigureLine handoff_p99_line;
};

class SaleDashboard {
public:
    explicit SaleDashboard(DashboardSettings settings = {});

    /// Keeps the families the dashboard reads from one snapshot taken at `at`. Thread-safe.
    void record(const std::vector<ports::MetricFamilyValues>& families, TimePoint at);
    /// Samples recorded so far: a viewer polls this to see that something new is there.
    std::uint64_t samples_recorded() const { return recorded_.load(std::memory_order_acquire); }

    const DashboardSettings& settings() const { return settings_; }
    /// Longest window a rate can be asked over (the history's span).
    int max_window_seconds() const { return static_cast<int>(settings_.history.count()); }

    /// Rates and quantiles over the last `window_seconds` (clamped to 1..max_window_seconds()).
    ShopDashboard shop(int window_seconds) const;
    SeckillDashboard seckill(std::int64_t activity_id, int window_seconds) const;

    /// Whether a family belongs in the dashboard's history.
    static bool wanted(const std::string& family);

private:
    DashboardSettings settings_;
    mutable std::mutex mutex_;
    MetricsHistory history_;
    std::atomic<std::uint64_t> recorded_{0};
};

}  // namespace gomall::services
