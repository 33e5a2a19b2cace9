// The product list's ?category=: a category id (ours) or a category's name (what clients of the
// original GoMall send, e.g. ?category=手机数码).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "domain/product.hpp"
#include "http/request.hpp"

namespace gomall::http {

struct CategoryFilter {
    std::int64_t id = 0;  // 0: every category, unless `name` is set
    std::string name;     // set: the category with exactly this name (resolved on a cache miss)

    /// Names the filter in a cache key: "c=<id>" or "cn=<byte length>:<name>" (the length keeps a
    /// name from imitating what follows it in the key).
    std::string key() const;
};

/// Reads ?category= without any I/O (safe on an I/O thread). Absent or empty: every category.
/// Digits (an optional sign, then 0-9): an id, 0 meaning every category, 400 naming `category` when
/// negative or out of range. Anything else is a name: valid UTF-8 of at most kMaxCategoryName
/// characters without control characters, else 400 naming `category`.
Result<CategoryFilter> read_category_filter(const Request& req);

/// The id of the category named exactly `name`, or kNoCategory when none is: a product query with
/// that id finds nothing, which is what the original GoMall answered for an unknown name (an empty
/// page, not an error). Category ids are positive, so kNoCategory never matches a product.
std::int64_t category_id_named(const std::vector<domain::Category>& categories, std::string_view name);

constexpr std::int64_t kNoCategory = -1;
constexpr std::size_t kMaxCategoryName = 50;  // the longest name POST /api/category accepts

}  // namespace gomall::http
