// The shop's route table for the benchmarks; see shop_routes.hpp.
#include "shop_routes.hpp"

#include <chrono>
#include <string>
#include <utility>

#include "http/envelope.hpp"
#include "http/handlers/ops_handlers.hpp"
#include "http/handlers/product_handlers.hpp"

namespace gomall::bench {
namespace {

using http::admin_only;
using http::Method;
using http::Request;
using http::RouteOptions;
using http::signed_in;

/// A route of the shop whose handler the benchmarks never run: it is there to be matched against.
void stub(http::Router& router, Method method, std::string pattern, RouteOptions options = {}) {
    router.add(
        method, std::move(pattern), [](Request& req) { return http::ok(req, nullptr); }, std::move(options)
    );
}

services::CatalogCacheSettings long_lived_cache() {
    services::CatalogCacheSettings settings;
    settings.detail.ttl = std::chrono::hours(1);
    settings.lists.ttl = std::chrono::hours(1);
    return settings;
}

}  // namespace

domain::Product MemoryProductRepository::product(std::int64_t id) {
    domain::Product p;
    p.id = id;
    p.name = "Wireless noise-cancelling headphones, model " + std::to_string(id);
    p.description =
        "Over-ear headphones with active noise cancelling, 30 hours of battery life, fast charging over "
        "USB-C and a folding design that fits the travel case included in the box.";
    p.price = 59'900 + id;
    p.stock = 100 + id;
    p.category_id = 1;
    p.category = "Audio";
    p.image_url = "/uploads/products/headphones-" + std::to_string(id) + ".jpg";
    p.sales = id * 3;
    p.created_at = from_unix_seconds(1'800'000'000);
    p.updated_at = p.created_at;
    return p;
}

domain::Page<domain::Product> MemoryProductRepository::list(const domain::ProductQuery& query) {
    domain::Page<domain::Product> page;
    page.page = query.page;
    page.page_size = query.page_size;
    page.total = kProducts;
    const std::int64_t first = static_cast<std::int64_t>(query.page - 1) * query.page_size + 1;
    for (std::int64_t id = first; id < first + query.page_size && id <= kProducts; ++id) {
        page.items.push_back(product(id));
    }
    return page;
}

std::optional<domain::Product> MemoryProductRepository::find(std::int64_t id) {
    if (id < 1 || id > kProducts) {
        return std::nullopt;
    }
    return product(id);
}

std::int64_t MemoryProductRepository::create(const domain::NewProduct& /*product*/, TimePoint /*now*/) {
    return 0;
}

bool MemoryProductRepository::update(std::int64_t /*id*/, const domain::ProductPatch& /*patch*/, TimePoint /*now*/) {
    return false;
}

bool MemoryProductRepository::soft_delete(std::int64_t /*id*/, TimePoint /*now*/) {
    return false;
}

std::vector<domain::Category> MemoryProductRepository::categories() {
    return {domain::Category{1, "Audio"}};
}

std::optional<domain::Category> MemoryProductRepository::find_category(std::int64_t id) {
    if (id != 1) {
        return std::nullopt;
    }
    return domain::Category{1, "Audio"};
}

std::optional<domain::Category> MemoryProductRepository::find_category_by_name(std::string_view name) {
    if (name != "Audio") {
        return std::nullopt;
    }
    return domain::Category{1, "Audio"};
}

std::int64_t MemoryProductRepository::create_category(std::string_view /*name*/) {
    return 0;
}

std::int64_t MemoryProductRepository::count_products() {
    return kProducts;
}

ShopRoutes::ShopRoutes() : cache_(long_lived_cache(), clock_), product_service_(products_, cache_, clock_) {
    http::register_ops_routes(router_, {}, {"0.1.0", "bench", "Release"});
    stub(router_, Method::kGet, "/metrics");
    stub(router_, Method::kPost, "/api/user/register");
    stub(router_, Method::kPost, "/api/user/login");
    stub(router_, Method::kGet, "/api/user/profile", signed_in());
    stub(router_, Method::kPost, "/api/auth/refresh-token");
    stub(router_, Method::kPost, "/api/auth/change-password", signed_in());
    stub(router_, Method::kPost, "/api/auth/logout", signed_in());
    http::register_product_routes(router_, product_service_, cache_, images_);
    stub(router_, Method::kPost, "/api/cart", signed_in());
    stub(router_, Method::kGet, "/api/cart", signed_in());
    stub(router_, Method::kPut, "/api/cart", signed_in());
    stub(router_, Method::kDelete, "/api/cart", signed_in());
    stub(router_, Method::kDelete, "/api/cart/clear", signed_in());
    stub(router_, Method::kPost, "/api/order", signed_in());
    stub(router_, Method::kPost, "/api/order/checkout", signed_in());
    stub(router_, Method::kGet, "/api/order", signed_in());
    stub(router_, Method::kGet, "/api/order/:order_no", signed_in());
    stub(router_, Method::kPost, "/api/order/:order_no/pay", signed_in());
    stub(router_, Method::kPost, "/api/order/:order_no/cancel", signed_in());
    stub(router_, Method::kGet, "/api/admin/order", admin_only());
    stub(router_, Method::kPost, "/api/pay/wechat/unified-order", signed_in());
    stub(router_, Method::kGet, "/api/pay/wechat/query", signed_in());
    stub(router_, Method::kPost, "/api/pay/wechat/close", signed_in());
    stub(router_, Method::kPost, "/api/pay/wechat/refund", signed_in());
    stub(router_, Method::kGet, "/api/order/:order_no/payment", signed_in());
    stub(router_, Method::kPost, "/api/pay/wechat/notify");
    stub(router_, Method::kPost, "/api/seckill/init", admin_only());
    stub(router_, Method::kGet, "/api/seckill/activities");
    stub(router_, Method::kGet, "/api/seckill/activities/:id");
    stub(router_, Method::kPut, "/api/seckill/activities/:id", admin_only());
    stub(router_, Method::kPost, "/api/seckill/activities/:id/end", admin_only());
    stub(router_, Method::kPost, "/api/seckill", signed_in());
    stub(router_, Method::kPost, "/api/seckill/token", signed_in());
    stub(router_, Method::kGet, "/api/seckill/result", signed_in());
    stub(router_, Method::kGet, "/api/seckill/events", signed_in());
    stub(router_, Method::kGet, "/api/admin/dashboard/shop", admin_only());
    stub(router_, Method::kGet, "/api/admin/dashboard/shop/events", admin_only());
    stub(router_, Method::kGet, "/api/admin/dashboard/seckill/:id", admin_only());
    stub(router_, Method::kGet, "/api/admin/dashboard/seckill/:id/events", admin_only());
    stub(router_, Method::kPost, "/api/upload", signed_in());
    stub(router_, Method::kPost, "/api/upload/multi", signed_in());
}

}  // namespace gomall::bench
