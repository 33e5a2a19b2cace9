// HTTP routes of the catalogue: categories, product listing and detail, admin product maintenance.
#pragma once

#include "http/image_urls.hpp"
#include "http/router.hpp"
#include "services/catalog_cache.hpp"
#include "services/product_api.hpp"

namespace gomall::http {

/// Registers GET /api/category, GET /api/product and GET /api/product/:id (answered through the
/// catalogue cache, hits on the I/O thread), POST/PUT/DELETE /api/product[/:id] (admin) and
/// GET /api/admin/product (admin, always the database). All must outlive the router.
/// Image URLs in answers go through `images`.
void register_product_routes(
    Router& router, services::ProductApi& products, services::CatalogCache& cache, const ImageUrls& images
);

}  // namespace gomall::http
