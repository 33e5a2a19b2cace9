// Catalogue: categories and products. Prices are integer cents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/time.hpp"

namespace gomall::domain {

enum class ProductStatus : int { kOffShelf = 0, kOnSale = 1 };

struct Category {
    std::int64_t id = 0;
    std::string name;
};

struct Product {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    Cents price = 0;
    std::int64_t stock = 0;
    std::int64_t category_id = 0;
    std::string category;  // category name, joined in by the repository
    std::string image_url;
    ProductStatus status = ProductStatus::kOnSale;
    std::int64_t sales = 0;
    TimePoint created_at;
    TimePoint updated_at;
};

struct NewProduct {
    std::string name;
    std::string description;
    Cents price = 0;
    std::int64_t stock = 0;
    std::int64_t category_id = 0;
    std::string image_url;
    ProductStatus status = ProductStatus::kOnSale;
};

/// Fields an admin may change; unset fields stay as they are.
struct ProductPatch {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<Cents> price;
    std::optional<std::int64_t> stock;
    std::optional<std::int64_t> category_id;
    std::optional<std::string> image_url;
    std::optional<ProductStatus> status;
};

enum class ProductSort { kNewest, kPriceAsc, kPriceDesc, kSales };

struct ProductQuery {
    int page = 1;
    int page_size = 20;
    std::string keyword;  // matched as plain text against name and description
    std::optional<std::int64_t> category_id;
    ProductSort sort = ProductSort::kNewest;
    bool include_off_shelf = false;  // admin listings see off-shelf products too
};

template <class T>
struct Page {
    std::vector<T> items;
    std::int64_t total = 0;
    int page = 1;
    int page_size = 20;
};

}  // namespace gomall::domain
