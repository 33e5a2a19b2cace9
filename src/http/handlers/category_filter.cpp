// Reading the product list's category filter, by id or by name, and resolving a name to its id.
#include "http/handlers/category_filter.hpp"

#include <algorithm>
#include <limits>

#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

/// "12", "+12", "-3": what was meant as an id (and is validated as one), not as a name.
bool looks_numeric(std::string_view text) {
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        text.remove_prefix(1);
    }
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

}  // namespace

std::string CategoryFilter::key() const {
    if (name.empty()) {
        return "c=" + std::to_string(id);
    }
    return "cn=" + std::to_string(name.size()) + ":" + name;
}

Result<CategoryFilter> read_category_filter(const Request& req) {
    const std::string_view raw = req.query_param("category").value_or(std::string_view{});
    CategoryFilter filter;
    if (raw.empty()) {
        return filter;
    }
    if (looks_numeric(raw)) {
        auto id = query_int(req, "category", 0, 0, kMaxId);
        if (!id.ok()) {
            return id.error();
        }
        filter.id = id.value();
        return filter;
    }
    const auto length = utf8_length(raw);
    if (!length || *length > kMaxCategoryName || has_control(raw)) {
        return make_error(
            ErrorCode::kBadRequest,
            "category: must be a category id or a name of at most " + std::to_string(kMaxCategoryName) + " characters",
            "category"
        );
    }
    filter.name = std::string(raw);
    return filter;
}

std::int64_t category_id_named(const std::vector<domain::Category>& categories, std::string_view name) {
    const auto found = std::find_if(categories.begin(), categories.end(), [name](const domain::Category& c) {
        return c.name == name;
    });
    return found == categories.end() ? kNoCategory : found->id;
}

}  // namespace gomall::http
