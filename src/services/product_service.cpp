// Implementation of the catalogue service.
#include "services/product_service.hpp"

#include <string>

namespace gomall::services {
namespace {

Error product_not_found(std::int64_t id) {
    return make_error(ErrorCode::kProductNotFound, "product " + std::to_string(id) + " not found");
}

}  // namespace

ProductService::ProductService(ports::ProductRepository& products, CatalogCache& cache, const ports::Clock& clock)
    : products_(products), cache_(cache), clock_(clock) {}

domain::Page<domain::Product> ProductService::list(const domain::ProductQuery& query) {
    return products_.list(query);
}

Result<domain::Product> ProductService::get(std::int64_t id) {
    auto product = products_.find(id);
    if (!product) {
        return product_not_found(id);
    }
    return std::move(*product);
}

std::optional<domain::Category> ProductService::find_category(const std::string& name) {
    return products_.find_category_by_name(name);
}

Result<domain::Product> ProductService::create(const domain::NewProduct& product) {
    if (auto status = check_category(product.category_id); !status.ok()) {
        return status.error();
    }
    const std::int64_t id = products_.create(product, clock_.now());
    cache_.product_changed(id);  // it may belong on any list page
    return reload(id);
}

Result<domain::Product> ProductService::update(std::int64_t id, const domain::ProductPatch& patch) {
    if (patch.category_id) {
        if (auto status = check_category(*patch.category_id); !status.ok()) {
            return status.error();
        }
    }
    const bool updated = products_.update(id, patch, clock_.now());
    // Invalidate after the write so a reader refilling the cache sees the new row; the read cache
    // does not keep what a load that straddled the invalidation read.
    cache_.product_changed(id);
    if (!updated) {
        return product_not_found(id);
    }
    return reload(id);
}

Status ProductService::soft_delete(std::int64_t id) {
    const bool deleted = products_.soft_delete(id, clock_.now());
    cache_.product_changed(id);
    if (!deleted) {
        return product_not_found(id);
    }
    return ok_status();
}

std::vector<domain::Category> ProductService::categories() {
    return products_.categories();
}

Status ProductService::check_category(std::int64_t category_id) {
    if (category_id == 0 || products_.find_category(category_id)) {
        return ok_status();
    }
    return make_error(
        ErrorCode::kCategoryNotFound, "category " + std::to_string(category_id) + " not found", "category_id"
    );
}

Result<domain::Product> ProductService::reload(std::int64_t id) {
    auto product = products_.find(id);
    if (!product) {
        // Deleted by a concurrent admin request between our write and this read.
        return product_not_found(id);
    }
    return std::move(*product);
}

Result<domain::Category> ProductService::create_category(const std::string& name) {
    if (products_.find_category_by_name(name)) {
        return make_error(ErrorCode::kConflict, "category '" + name + "' already exists", "name");
    }
    try {
        domain::Category created{products_.create_category(name), name};
        cache_.lists_changed();
        return created;
    } catch (const std::exception&) {
        // Lost a race with a concurrent create of the same name: the unique index refused it.
        if (products_.find_category_by_name(name)) {
            return make_error(ErrorCode::kConflict, "category '" + name + "' already exists", "name");
        }
        throw;
    }
}

}  // namespace gomall::services
