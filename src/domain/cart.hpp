// Shopping cart lines, with the product's live state joined in.
#pragma once

#include <cstdint>
#include <string>

#include "core/money.hpp"
#include "core/time.hpp"
#include "domain/product.hpp"

namespace gomall::domain {

inline constexpr int kMaxCartQuantity = 99;

struct CartItem {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::int64_t product_id = 0;
    int quantity = 0;
    // live product fields
    std::string name;
    Cents price = 0;
    std::string image_url;
    std::int64_t stock = 0;
    ProductStatus status = ProductStatus::kOnSale;
    bool product_deleted = false;
    TimePoint created_at;
    TimePoint updated_at;
};

}  // namespace gomall::domain
