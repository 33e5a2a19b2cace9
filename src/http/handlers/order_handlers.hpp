// HTTP routes of orders: buy now, checkout of the cart, listing, detail, demo payment, cancel, admin listing.
#pragma once

#include "http/image_urls.hpp"
#include "http/router.hpp"
#include "services/order_api.hpp"

namespace gomall::http {

/// Registers POST /api/order, POST /api/order/checkout, GET /api/order, GET /api/order/:order_no,
/// POST /api/order/:order_no/pay, POST /api/order/:order_no/cancel (user) and GET /api/admin/order (admin).
/// `orders` and `images` must outlive the router.
void register_order_routes(Router& router, services::OrderApi& orders, const ImageUrls& images);

}  // namespace gomall::http
