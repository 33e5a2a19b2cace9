// Admin routes of the live sale dashboard: the shop's request rate, error rate and p99 by route,
// and one flash-sale activity's figures, as JSON and as server-sent events (one frame per sample).
#pragma once

#include <atomic>
#include <cstddef>

#include "http/router.hpp"
#include "services/flash_sale_api.hpp"
#include "services/sale_dashboard.hpp"

namespace gomall::http {

/// How many dashboard event streams are open; shared by the streams, which give their place back
/// when the server drops them.
class DashboardStreamSlots {
public:
    explicit DashboardStreamSlots(std::size_t max) : max_(max) {}
    /// Takes a place; false when all are taken.
    bool try_take();
    void give_back();
    std::size_t open() const { return open_.load(std::memory_order_relaxed); }

private:
    const std::size_t max_;
    std::atomic<std::size_t> open_{0};
};

/// Registers GET /api/admin/dashboard/shop, GET /api/admin/dashboard/shop/events,
/// GET /api/admin/dashboard/seckill/:id and GET /api/admin/dashboard/seckill/:id/events,
/// all admin only. `dashboard`, `seckill` and `slots` must outlive the router (and the server).
void register_dashboard_routes(
    Router& router,
    const services::SaleDashboard& dashboard,
    services::FlashSaleAdmin& seckill,
    DashboardStreamSlots& slots
);

}  // namespace gomall::http
