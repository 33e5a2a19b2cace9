// A large made-up catalogue for load tests (the seed-products command): Chinese and English
// names and descriptions built from word lists, so keyword searches hit a few percent of it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "domain/product.hpp"

namespace gomall::app {

/// The categories generated products belong to (the demo catalogue's).
const std::vector<std::string_view>& generated_category_names();

struct GeneratedProduct {
    domain::NewProduct product;  // category_id left 0: the caller maps `category`
    std::size_t category = 0;    // index into generated_category_names()
};

/// Product number `n`: the same n always gives the same product. About one in 30 products
/// shares a product type ("智能手机 Smartphone"), one in 20 a brand, one in 10 a colour.
GeneratedProduct generate_product(std::uint64_t n);

}  // namespace gomall::app
