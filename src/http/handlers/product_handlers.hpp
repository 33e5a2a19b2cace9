// HTTP routes of the catalogue: categories, product listing and detail, admin product maintenance.
#pragma once

#include "http/router.hpp"
#include "services/product_service.hpp"

namespace gomall::http {

/// Registers GET /api/category, GET /api/product, GET /api/product/:id (with a cache fast path),
/// POST/PUT/DELETE /api/product[/:id] (admin) and GET /api/admin/product (admin).
/// `products` must outlive the router.
void register_product_routes(Router& router, services::ProductService& products);

}  // namespace gomall::http
