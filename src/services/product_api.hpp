// The catalogue as the HTTP handlers see it: list and read products, and the admin's changes to
// products and categories. The class behind it may be in this process or remote.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/product.hpp"

namespace gomall::services {

/// Every call reads the database: call from the blocking pool (the HTTP layer answers reads through
/// the catalogue cache in front of list() and get()).
class ProductApi {
public:
    virtual ~ProductApi() = default;
    virtual domain::Page<domain::Product> list(const domain::ProductQuery& query) = 0;
    /// Off-shelf products are returned (status 0); deleted ones are not. Errors: kProductNotFound.
    virtual Result<domain::Product> get(std::int64_t id) = 0;
    /// Admin. category_id 0 means "no category"; any other id must exist (kCategoryNotFound).
    virtual Result<domain::Product> create(const domain::NewProduct& product) = 0;
    /// Admin. Errors: kProductNotFound, kCategoryNotFound.
    virtual Result<domain::Product> update(std::int64_t id, const domain::ProductPatch& patch) = 0;
    /// Admin. Errors: kProductNotFound when missing or already deleted.
    virtual Status soft_delete(std::int64_t id) = 0;
    virtual std::vector<domain::Category> categories() = 0;
    /// Admin. Errors: kConflict when a category with this name exists.
    virtual Result<domain::Category> create_category(const std::string& name) = 0;
};

}  // namespace gomall::services
