// The two ways the flash sale looks a product up (ports/product_lookup.hpp): the catalogue's
// repository in the same process, or the catalogue's API (a gRPC client in services mode).
#pragma once

#include <string>

#include "ports/product_lookup.hpp"
#include "ports/product_repository.hpp"
#include "services/product_api.hpp"

namespace gomall::services {

/// One process: reads the primary database, so a product made a moment ago is found at once.
class StoredProductLookup final : public ports::ProductLookup {
public:
    explicit StoredProductLookup(ports::ProductRepository& products) : products_(products) {}

    Result<domain::Product> product(std::int64_t id) override {
        auto found = products_.find(id);
        if (!found) {
            return make_error(ErrorCode::kProductNotFound, "product " + std::to_string(id) + " not found");
        }
        return std::move(*found);
    }

private:
    ports::ProductRepository& products_;
};

/// Services mode: asks the catalogue service, whose errors (not found, unavailable) pass through.
class ApiProductLookup final : public ports::ProductLookup {
public:
    explicit ApiProductLookup(ProductApi& products) : products_(products) {}

    Result<domain::Product> product(std::int64_t id) override { return products_.get(id); }

private:
    ProductApi& products_;
};

}  // namespace gomall::services
