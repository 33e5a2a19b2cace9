// JSON of the sale dashboard's figures (docs/openapi.yaml: ShopDashboard, SeckillDashboard).
// A figure without data is null; lines are arrays aligned with "at_ms".
#pragma once

#include <boost/json/object.hpp>

#include "services/sale_dashboard.hpp"

namespace gomall::http {

boost::json::object shop_dashboard_json(const services::ShopDashboard& view, int interval_ms);
boost::json::object seckill_dashboard_json(const services::SeckillDashboard& view, int interval_ms);

}  // namespace gomall::http
