// Catalogue handlers: validate input, call the catalogue service, envelope the result.
#include "http/handlers/product_handlers.hpp"

#include <limits>
#include <optional>
#include <stdexcept>
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

/// A public product page as asked: the query for the database, and the cache key that names it.
struct ListRequest {
    domain::ProductQuery query;
    std::string key;
    std::string category_name;  // ?category=<name> (the original GoMall's filter): its id is looked up on a miss
};

/// Validates the query string of GET /api/product. Cheap and free of I/O, so the I/O thread runs it
/// to look the page up in the cache; the blocking handler runs it again on a miss.
Result<ListRequest> read_list_request(const Request& req) {
    auto paging = read_page_params(req);
    if (!paging.ok()) {
        return paging.error();
    }
    auto keyword = read_keyword(req);
    if (!keyword.ok()) {
        return keyword.error();
    }
    auto category = read_category_filter(req);
    if (!category.ok()) {
        return category.error();
    }
    const std::string_view sort_text = req.query_param("sort").value_or(std::string_view{});
    const auto sort = parse_sort(sort_text);
    if (!sort) {
        return make_error(ErrorCode::kBadRequest, "sort: must be newest, price_asc, price_desc or sales", "sort");
    }
    ListRequest list;
    list.query.page = paging->page;
    list.query.page_size = paging->page_size;
    list.query.keyword = std::move(keyword.value());
    if (category->id != 0) {  // 0 or absent: every category
        list.query.category_id = category->id;
    }
    list.query.sort = *sort;
    // Every field that changes the answer, the free text last so no keyword can imitate another key.
    list.key = "product?p=" + std::to_string(list.query.page) + "&n=" + std::to_string(list.query.page_size) + "&" +
               category->key() + "&s=" + std::to_string(static_cast<int>(*sort)) + "&k=" + list.query.keyword;
    list.category_name = std::move(category->name);  // after key(), which names it
    return list;
}

Response answer(const Request& req, const services::ReadCache::Answer& cached, const Error& not_found) {
    if (!cached->found) {
        return error_response(req, not_found);
    }
    return ok_encoded(req, cached->body);
}

Response list_products(
    Request& req, services::ProductApi& products, services::CatalogCache& cache, const ImageUrls& images
) {
    GOMALL_TRY(const auto list, req, read_list_request(req));
    const auto page = cache.list(list.key, [&] {
        auto query = list.query;
        if (!list.category_name.empty()) {
            query.category_id = category_id_named(products.categories(), list.category_name);
        }
        return services::CachedAnswer{serialize_json(page_json(products.list(query), product_view(images)))};
    });
    return ok_encoded(req, page->body);
}

Response admin_list_products(Request& req, services::ProductApi& products, const ImageUrls& images) {
    GOMALL_TRY(const auto paging, req, read_page_params(req));
    GOMALL_TRY(auto keyword, req, read_keyword(req));
    domain::ProductQuery query;
    query.page = paging.page;
    query.page_size = paging.page_size;
    query.keyword = std::move(keyword);
    query.include_off_shelf = true;
    return ok(req, page_json(products.list(query), product_view(images)));
}

Response create_product(Request& req, services::ProductApi& products, const ImageUrls& images) {
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

Response update_product(Request& req, services::ProductApi& products, const ImageUrls& images) {
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
Error product_not_found(std::int64_t id) {
    return make_error(ErrorCode::kProductNotFound, "product " + std::to_string(id) + " not found");
}

}  // namespace

void register_product_routes(
    Router& router, services::ProductApi& products, services::CatalogCache& cache, const ImageUrls& images
) {
    static constexpr std::string_view kCategoriesKey = "category";
    RouteOptions categories_options;
    categories_options.fast_path = [&cache](Request& req) -> std::optional<Response> {
        if (auto hit = cache.peek_list(kCategoriesKey)) {
            return ok_encoded(req, hit->body);
        }
        return std::nullopt;
    };
    router.get(
        "/api/category",
        [&products, &cache](Request& req) -> Response {
            const auto categories = cache.list(std::string(kCategoriesKey), [&] {
                boost::json::array list;
                for (const auto& category : products.categories()) {
                    list.push_back(category_json(category));
                }
                return services::CachedAnswer{serialize_json(boost::json::object{{"list", std::move(list)}})};
            });
            return ok_encoded(req, categories->body);
        },
        std::move(categories_options)
    );

    router.post(
        "/api/category",
        [&products](Request& req) -> Response {
            GOMALL_TRY(const auto body, req, JsonBody::parse(req, {"name"}));
            GOMALL_TRY(const auto name, req, body.required_string("name", 1, 50));
            return respond(req, products.create_category(name), category_json, 201);
        },
        admin_only()
    );

    RouteOptions list_options;
    // Pages in the cache are answered on the I/O thread; bad input too (it costs no I/O).
    list_options.fast_path = [&cache](Request& req) -> std::optional<Response> {
        const auto list = read_list_request(req);
        if (!list.ok()) {
            return error_response(req, list.error());
        }
        if (auto hit = cache.peek_list(list->key)) {
            return ok_encoded(req, hit->body);
        }
        return std::nullopt;
    };
    router.get(
        "/api/product",
        [&products, &cache, &images](Request& req) { return list_products(req, products, cache, images); },
        std::move(list_options)
    );

    RouteOptions detail_options;
    // Cache hits (unknown ids too) are answered on the I/O thread; a miss falls back to the blocking handler.
    detail_options.fast_path = [&cache](Request& req) -> std::optional<Response> {
        const auto id = path_id(req, "id");
        if (!id.ok()) {
            return error_response(req, id.error());
        }
        if (auto hit = cache.peek_product(id.value())) {
            // The not-found error (a message to format) is built only for a cached miss.
            return hit->found ? ok_encoded(req, hit->body) : error_response(req, product_not_found(id.value()));
        }
        return std::nullopt;
    };
    router.get(
        "/api/product/:id",
        [&products, &cache, &images](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            const auto product = cache.product(id, [&] {
                auto found = products.get(id);
                if (!found.ok()) {
                    if (found.error().code != ErrorCode::kProductNotFound) {
                        throw std::runtime_error(found.error().message);
                    }
                    return services::CachedAnswer{{}, false};
                }
                return services::CachedAnswer{serialize_json(product_json(found.value(), images))};
            });
            return answer(req, product, product_not_found(id));
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
