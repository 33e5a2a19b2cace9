// Catalogue rules: browsing, product detail, and admin maintenance, telling the catalogue cache what
// each change makes stale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/product.hpp"
#include "ports/clock.hpp"
#include "ports/product_repository.hpp"
#include "services/catalog_cache.hpp"
#include "services/product_api.hpp"

namespace gomall::services {

class ProductService final : public ProductApi {
public:
    ProductService(ports::ProductRepository& products, CatalogCache& cache, const ports::Clock& clock);

    /// The database; the HTTP layer answers through the catalogue cache in front of these reads.
    domain::Page<domain::Product> list(const domain::ProductQuery& query) override;
    /// Off-shelf products are returned (status 0); deleted ones are not. Errors: kProductNotFound.
    Result<domain::Product> get(std::int64_t id) override;
    /// The category of that exact name, if any.
    std::optional<domain::Category> find_category(const std::string& name);

    /// Admin. category_id 0 means "no category"; any other id must exist (kCategoryNotFound).
    Result<domain::Product> create(const domain::NewProduct& product) override;
    /// Admin. Errors: kProductNotFound, kCategoryNotFound.
    Result<domain::Product> update(std::int64_t id, const domain::ProductPatch& patch) override;
    /// Admin. Errors: kProductNotFound when missing or already deleted.
    Status soft_delete(std::int64_t id) override;

    std::vector<domain::Category> categories() override;
    /// Admin. Errors: kConflict when a category with this name exists.
    Result<domain::Category> create_category(const std::string& name) override;

private:
    Status check_category(std::int64_t category_id);
    Result<domain::Product> reload(std::int64_t id);

    ports::ProductRepository& products_;
    CatalogCache& cache_;
    const ports::Clock& clock_;
};

}  // namespace gomall::services
