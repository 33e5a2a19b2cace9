// HTTP routes of the shopping cart (all require a signed-in user).
#pragma once

#include "http/image_urls.hpp"
#include "http/router.hpp"
#include "services/cart_api.hpp"

namespace gomall::http {

/// Registers POST/GET/PUT/DELETE /api/cart and DELETE /api/cart/clear. `carts` and `images` must
/// outlive the router.
void register_cart_routes(Router& router, services::CartApi& carts, const ImageUrls& images);

}  // namespace gomall::http
