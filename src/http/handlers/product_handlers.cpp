// Catalogue handlers: validate input, call ProductService, envelope the result.
#include "http/handlers/product_handlers.hpp"

#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "http/envelope.hpp"
#include "http/handlers/category_filter.hpp"
#include "http/handlers/json_views.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::size_t kMaxName = 200;
constexpr std::size_t kMaxDescription = 5000;
constexpr std::size_t kMaxImageUrl = 500;
constexpr std::size_t kMaxKeyword = 100;
constexpr Cents kMinPrice = 1;              // 0.01
constexpr Cents kMaxPrice = 1'000'000'000;  // 10,000,000.00
constexpr std::int64_t kMaxStock = 10'000'000;
constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

std::optional<domain::ProductSort> parse_sort(std::string_view text) {
    if (text.empty() || text == "newest") {
        return domain::ProductSort::kNewest;
    }
    if (text == "price_asc") {
        return domain::ProductSort::kPriceAsc;
    }
    if (text == "price_desc") {
        return domain::ProductSort::kPriceDesc;
    }
    if (text == "sales") {
        return domain::ProductSort::kSales;
    }
    return std::nullopt;
}

Result<std::string> read_keyword(const Request& req) {
    const std::string keyword(req.query_param("keyword").value_or(std::string_view{}));
    const auto length = utf8_length(keyword);
    if (!length || *length > kMaxKeyword) {
        return make_error(
            ErrorCode::kBadRequest,
            "keyword: must be valid text of at most " + std::to_string(kMaxKeyword) + " characters",
            "keyword"
        );
    }
    return keyword;
}

/// Fields shared by create (name, price, stock required) and update (everything optional).
/// Not constexpr (not allowed for initializer_list here); its backing array is static like the list.
const std::initializer_list<std::string_view> kProductFields = {
    "name", "description", "price", "stock", "category_id", "image_url", "status"};

Response list_products(Request& req, services::ProductService& products, const ImageUrls& images) {
    GOMALL_TRY(const auto paging, req, read_page_params(req));
    GOMALL_TRY(auto keyword, req, read_keyword(req));
    GOMALL_TRY(const auto category, req, read_category_filter(req));
    const auto sort = parse_sort(req.query_param("sort").value_or(std::string_view{}));
    if (!sort) {
        return error_response(
            req, ErrorCode::kBadRequest, "sort: must be newest, price_asc, price_desc or sales", "sort"
        );
    }
    domain::ProductQuery query;
    query.page = paging.page;
    query.page_size = paging.page_size;
    query.keyword = std::move(keyword);
    if (category.id != 0) {  // 0 or absent: every category
        query.category_id = category.id;
    }
    if (!category.name.empty()) {  // ?category=<name>, the original GoMall's filter
        query.category_id = category_id_named(products.categories(), category.name);
    }
    query.sort = *sort;
    return ok(req, page_json(products.list(query), product_view(images)));
}

Response admin_list_products(Request& req, services::ProductService& products, const ImageUrls& images) {
    GOMALL_TRY(const auto paging, req, read_page_params(req));
    GOMALL_TRY(auto keyword, req, read_keyword(req));
    domain::ProductQuery query;
    query.page = paging.page;
    query.page_size = paging.page_size;
    query.keyword = std::move(keyword);
    query.include_off_shelf = true;
    return ok(req, page_json(products.list(query), product_view(images)));
}

Response create_product(Request& req, services::ProductService& products, const ImageUrls& images) {
    GOMALL_TRY(const auto body, req, JsonBody::parse(req, kProductFields));
    domain::NewProduct product;
    GOMALL_TRY(product.name, req, body.required_string("name", 1, kMaxName));
    GOMALL_TRY(const auto description, req, body.optional_string("description", 0, kMaxDescription));
    GOMALL_TRY(product.price, req, body.required_money("price", kMinPrice, kMaxPrice));
    GOMALL_TRY(product.stock, req, body.required_int("stock", 0, kMaxStock));
    GOMALL_TRY(const auto category_id, req, body.optional_int("category_id", 1, kMaxId));
    GOMALL_TRY(const auto image_url, req, body.optional_string("image_url", 0, kMaxImageUrl));
    GOMALL_TRY(const auto status, req, body.optional_int("status", 0, 1));
    product.description = description.value_or("");
    product.category_id = category_id.value_or(0);
    product.image_url = image_url.value_or("");
    product.status = static_cast<domain::ProductStatus>(status.value_or(1));
    return respond(req, products.create(product), product_view(images), 201);
}

Response update_product(Request& req, services::ProductService& products, const ImageUrls& images) {
    GOMALL_TRY(const auto id, req, path_id(req, "id"));
    GOMALL_TRY(const auto body, req, JsonBody::parse(req, kProductFields));
    domain::ProductPatch patch;
    GOMALL_TRY(patch.name, req, body.optional_string("name", 1, kMaxName));
    GOMALL_TRY(patch.description, req, body.optional_string("description", 0, kMaxDescription));
    GOMALL_TRY(patch.price, req, body.optional_money("price", kMinPrice, kMaxPrice));
    GOMALL_TRY(patch.stock, req, body.optional_int("stock", 0, kMaxStock));
    GOMALL_TRY(patch.category_id, req, body.optional_int("category_id", 1, kMaxId));
    GOMALL_TRY(patch.image_url, req, body.optional_string("image_url", 0, kMaxImageUrl));
    GOMALL_TRY(const auto status, req, body.optional_int("status", 0, 1));
    if (status) {
        patch.status = static_cast<domain::ProductStatus>(*status);
    }
    return respond(req, products.update(id, patch), product_view(images));
}

// Built field by field: designated initializers that skip members trip -Wmissing-field-initializers.
RouteOptions admin_only() {
    RouteOptions options;
    options.admin = true;
    return options;
}

}  // namespace

void register_product_routes(Router& router, services::ProductService& products, const ImageUrls& images) {
    router.get("/api/category", [&products](Request& req) -> Response {
        boost::json::array list;
        for (const auto& category : products.categories()) {
            list.push_back(category_json(category));
        }
        return ok(req, boost::json::object{{"list", std::move(list)}});
    });

    router.post(
        "/api/category",
        [&products](Request& req) -> Response {
            GOMALL_TRY(const auto body, req, JsonBody::parse(req, {"name"}));
            GOMALL_TRY(const auto name, req, body.required_string("name", 1, 50));
            return respond(req, products.create_category(name), category_json, 201);
        },
        admin_only()
    );

    router.get("/api/product", [&products, &images](Request& req) { return list_products(req, products, images); });

    RouteOptions detail_options;
    // Cache hits are answered on the I/O thread; a miss (nullopt) falls back to the blocking handler.
    detail_options.fast_path = [&products, &images](Request& req) -> std::optional<Response> {
        const auto id = path_id(req, "id");
        if (!id.ok()) {
            return error_response(req, id.error());
        }
        if (auto product = products.cached(id.value())) {
            return ok(req, product_json(*product, images));
        }
        return std::nullopt;
    };
    router.get(
        "/api/product/:id",
        [&products, &images](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            return respond(req, products.get(id), product_view(images));
        },
        std::move(detail_options)
    );

    router.post(
        "/api/product",
        [&products, &images](Request& req) { return create_product(req, products, images); },
        admin_only()
    );
    router.put(
        "/api/product/:id",
        [&products, &images](Request& req) { return update_product(req, products, images); },
        admin_only()
    );
    router.del(
        "/api/product/:id",
        [&products](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            return respond(req, products.soft_delete(id), [](const Unit&) { return boost::json::value(nullptr); });
        },
        admin_only()
    );
    router.get(
        "/api/admin/product",
        [&products, &images](Request& req) { return admin_list_products(req, products, images); },
        admin_only()
    );
}

}  // namespace gomall::http
