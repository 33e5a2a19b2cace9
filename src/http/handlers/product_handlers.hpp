// HTTP routes of the catalogue: categories, product listing and detail, admin product maintenance.
#pragma once

#include "http/image_urls.hpp"
#include "http/router.hpp"
#include "services/product_service.hpp"

namespace gomall::http {

/// Registers GET /api/category, GET /api/product, GET /api/product/:id (with a cache fast path),
/// POST/PUT/DELETE /api/product[/:id] (admin) and GET /api/admin/product (admin).
/// Image URLs in answers go through `images`. `products` and `images` must outlive the router.
void register_product_routes(Router& router, services::ProductService& products, const ImageUrls& images);

}  // namespace gomall::http
