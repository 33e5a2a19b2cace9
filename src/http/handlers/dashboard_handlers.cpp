// Sale dashboard handlers: read the dashboard's figures (computed from its own history of metric
// snapshots) and answer them as JSON, once or as a stream of one frame per new sample.
#include "http/handlers/dashboard_handlers.hpp"

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "http/envelope.hpp"
#include "http/handlers/dashboard_views.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::int64_t kDefaultWindowSeconds = 10;

int interval_ms(const services::SaleDashboard& dashboard) {
    return static_cast<int>(dashboard.settings().sample_interval.count());
}

Result<int> window_param(const Request& req, const services::SaleDashboard& dashboard) {
    auto window = query_int(req, "window", kDefaultWindowSeconds, 1, dashboard.max_window_seconds());
    if (!window.ok()) {
        return window.error();
    }
    return static_cast<int>(window.value());
}

/// Pushes a fresh frame whenever the dashboard has taken a new sample. Holds one of the shared
/// stream places until the server drops it; keeps no queue (a slow reader gets the newest frame
/// when it is ready again, never a backlog). poll() only locks the dashboard briefly to compute.
class DashboardEventStream final : public EventStream {
public:
    DashboardEventStream(
        DashboardStreamSlots& slots, const services::SaleDashboard& dashboard, std::function<std::string()> frame
    )
        : slots_(slots), dashboard_(dashboard), frame_(std::move(frame)), seen_(dashboard.samples_recorded()) {}
    ~DashboardEventStream() override { slots_.give_back(); }
    DashboardEventStream(const DashboardEventStream&) = delete;
    DashboardEventStream& operator=(const DashboardEventStream&) = delete;

    std::string poll() override {
        const auto recorded = dashboard_.samples_recorded();
        if (recorded == seen_) {
            return {};
        }
        seen_ = recorded;
        return frame_();
    }

    bool finished() const override { return false; }  // the server's stream time limit ends it

    /// The current figures, whether or not a sample was taken since the last frame.
    std::string frame_now() const { return frame_(); }

private:
    DashboardStreamSlots& slots_;
    const services::SaleDashboard& dashboard_;
    std::function<std::string()> frame_;
    std::uint64_t seen_;
};

std::string event_frame(const boost::json::object& data) {
    return "event: dashboard\ndata: " + serialize_json(data) + "\n\n";
}

/// A text/event-stream response whose first frame is sent at once, or 503 when every stream
/// place is taken.
Response open_stream(
    const Request& req,
    DashboardStreamSlots& slots,
    const services::SaleDashboard& dashboard,
    std::function<std::string()> frame
) {
    if (!slots.try_take()) {
        Response res = error_response(
            req,
            ErrorCode::kUnavailable,
            "too many dashboard streams are open; try again shortly or poll the JSON route"
        );
        res.set_header("Retry-After", "5");
        return res;
    }
    // The stream owns the place from here, so a failure below gives it back.
    auto stream = std::make_shared<DashboardEventStream>(slots, dashboard, std::move(frame));
    Response res;
    res.status = 200;
    res.content_type = "text/event-stream";
    res.body = stream->frame_now();
    res.events = std::move(stream);
    return res;
}

}  // namespace

bool DashboardStreamSlots::try_take() {
    auto open = open_.load(std::memory_order_relaxed);
    do {
        if (open >= max_) {
            return false;
        }
    } while (!open_.compare_exchange_weak(open, open + 1, std::memory_order_acq_rel, std::memory_order_relaxed));
    return true;
}

void DashboardStreamSlots::give_back() {
    open_.fetch_sub(1, std::memory_order_acq_rel);
}

void register_dashboard_routes(
    Router& router,
    const services::SaleDashboard& dashboard,
    services::FlashSaleAdmin& seckill,
    DashboardStreamSlots& slots
) {
    router.get(
        "/api/admin/dashboard/shop",
        [&dashboard](Request& req) -> Response {
            GOMALL_TRY(const auto window, req, window_param(req, dashboard));
            return ok(req, shop_dashboard_json(dashboard.shop(window), interval_ms(dashboard)));
        },
        admin_only()
    );
    router.get(
        "/api/admin/dashboard/shop/events",
        [&dashboard, &slots](Request& req) -> Response {
            GOMALL_TRY(const auto window, req, window_param(req, dashboard));
            return open_stream(req, slots, dashboard, [&dashboard, window] {
                return event_frame(shop_dashboard_json(dashboard.shop(window), interval_ms(dashboard)));
            });
        },
        admin_only()
    );
    router.get(
        "/api/admin/dashboard/seckill/:id",
        [&dashboard, &seckill](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            GOMALL_TRY(const auto window, req, window_param(req, dashboard));
            GOMALL_TRY(const auto activity, req, seckill.get(id));  // 404 for an unknown activity
            return ok(
                req, seckill_dashboard_json(dashboard.seckill(activity.activity.id, window), interval_ms(dashboard))
            );
        },
        admin_only()
    );
    router.get(
        "/api/admin/dashboard/seckill/:id/events",
        [&dashboard, &seckill, &slots](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            GOMALL_TRY(const auto window, req, window_param(req, dashboard));
            GOMALL_TRY(const auto activity, req, seckill.get(id));
            return open_stream(req, slots, dashboard, [&dashboard, id = activity.activity.id, window] {
                return event_frame(seckill_dashboard_json(dashboard.seckill(id, window), interval_ms(dashboard)));
            });
        },
        admin_only()
    );
}

}  // namespace gomall::http
