// The shop's route table for the benchmarks: the real ops and catalogue routes (over a catalogue
// held in memory) and every other route of the shop as a stub, in the order the app registers them.
#pragma once

#include <cstdint>
#include <memory>

#include "http/image_urls.hpp"
#include "http/router.hpp"
#include "ports/clock.hpp"
#include "ports/product_repository.hpp"
#include "services/catalog_cache.hpp"
#include "services/product_service.hpp"

namespace gomall::bench {

/// A catalogue of kProducts products (ids 1..kProducts) and one category, kept in memory: the
/// database behind a cache miss, which the cases only meet while warming the cache.
class MemoryProductRepository final : public ports::ProductRepository {
public:
    static constexpr std::int64_t kProducts = 1000;

    domain::Page<domain::Product> list(const domain::ProductQuery& query) override;
    std::optional<domain::Product> find(std::int64_t id) override;
    std::int64_t create(const domain::NewProduct& product, TimePoint now) override;
    bool update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) override;
    bool soft_delete(std::int64_t id, TimePoint now) override;
    std::vector<domain::Category> categories() override;
    std::optional<domain::Category> find_category(std::int64_t id) override;
    std::optional<domain::Category> find_category_by_name(std::string_view name) override;
    std::int64_t create_category(std::string_view name) override;
    std::int64_t count_products() override;

    /// A product as the demo catalogue has them: a name, a paragraph of description, an image.
    static domain::Product product(std::int64_t id);
};

/// Owns the route table and what its real routes need. Build one per benchmark (not thread-safe to share
/// while being built). The detail cache keeps answers an hour, so a warmed entry never expires mid-run.
class ShopRoutes {
public:
    ShopRoutes();

    const http::Router& router() const { return router_; }
    services::CatalogCache& catalog_cache() { return cache_; }

private:
    ports::SystemClock clock_;
    MemoryProductRepository products_;
    services::CatalogCache cache_;
    services::ProductService product_service_;
    http::ImageUrls images_;
    http::Router router_;
};

}  // namespace gomall::bench
