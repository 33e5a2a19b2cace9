// Persistence of the catalogue. Soft-deleted products are invisible to every query here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "domain/product.hpp"

namespace gomall::ports {

class ProductRepository {
public:
    virtual ~ProductRepository() = default;

    /// Pages over products matching the query; keyword is bound as a parameter
    /// (LIKE with %, _ and \ escaped), so SQL metacharacters are plain text.
    virtual domain::Page<domain::Product> list(const domain::ProductQuery& query) = 0;
    virtual std::optional<domain::Product> find(std::int64_t id) = 0;
    virtual std::int64_t create(const domain::NewProduct& product, TimePoint now) = 0;
    /// Applies the patch; false if the product does not exist (or is deleted).
    virtual bool update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) = 0;
    /// Soft delete; false if already gone.
    virtual bool soft_delete(std::int64_t id, TimePoint now) = 0;

    virtual std::vector<domain::Category> categories() = 0;
    virtual std::optional<domain::Category> find_category(std::int64_t id) = 0;
    virtual std::optional<domain::Category> find_category_by_name(std::string_view name) = 0;
    virtual std::int64_t create_category(std::string_view name) = 0;
    virtual std::int64_t count_products() = 0;
};

}  // namespace gomall::ports
