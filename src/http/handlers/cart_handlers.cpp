// Cart handlers: validate input, call CartService, envelope the result.
#include "http/handlers/cart_handlers.hpp"

#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/cart.hpp"
#include "http/envelope.hpp"
#include "http/handlers/json_views.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

auto item_view(const ImageUrls& images) {
    return [&images](const domain::CartItem& item) -> boost::json::value {
        return cart_item_json(item, services::cart_line_available(item), images);
    };
}

boost::json::value null_json(const Unit&) {
    return nullptr;
}

struct LineRequest {
    std::int64_t product_id = 0;
    int quantity = 0;
};

/// {product_id, quantity}. With `query_id_allowed`, a body without product_id may name the product
/// in ?product_id= instead: the original GoMall's PUT /api/cart took it from there.
Result<LineRequest> read_line(const Request& req, bool query_id_allowed = false) {
    auto body = JsonBody::parse(req, {"product_id", "quantity"});
    if (!body.ok()) {
        return body.error();
    }
    const auto in_query = req.query_param("product_id");
    const bool from_query = query_id_allowed && !body->has("product_id") && in_query && !in_query->empty();
    auto product_id =
        from_query ? query_int(req, "product_id", 0, 1, kMaxId) : body->required_int("product_id", 1, kMaxId);
    if (!product_id.ok()) {
        return product_id.error();
    }
    auto quantity = body->required_int("quantity", 1, domain::kMaxCartQuantity);
    if (!quantity.ok()) {
        return quantity.error();
    }
    return LineRequest{product_id.value(), static_cast<int>(quantity.value())};
}

Response list_cart(Request& req, services::CartApi& carts, const ImageUrls& images) {
    const auto summary = carts.list(req.user_id());
    const auto to_json = item_view(images);
    boost::json::array list;
    list.reserve(summary.items.size());
    for (const auto& item : summary.items) {
        list.push_back(to_json(item));
    }
    boost::json::object data;
    // The original GoMall answered the lines as "items" and the quantity as "total_count"; its
    // clients read those. A copy of the array: a cart holds few lines, and the copy is cheaper than
    // building every line twice.
    data["items"] = list;
    data["list"] = std::move(list);
    data["total"] = static_cast<std::int64_t>(summary.items.size());
    data["total_quantity"] = summary.total_quantity;
    data["total_count"] = summary.total_quantity;
    data["total_price"] = money_json(summary.total_price);
    return ok(req, std::move(data));
}

Response remove_line(Request& req, services::CartApi& carts) {
    // query_int treats an empty value as absent, but here absent is an error too.
    if (const auto raw = req.query_param("product_id"); !raw || raw->empty()) {
        return error_response(req, ErrorCode::kBadRequest, "product_id: is required", "product_id");
    }
    GOMALL_TRY(const auto product_id, req, query_int(req, "product_id", 0, 1, kMaxId));
    return respond(req, carts.remove(req.user_id(), product_id), null_json);
}

// Built field by field: designated initializers that skip members trip -Wmissing-field-initializers.
}  // namespace

void register_cart_routes(Router& router, services::CartApi& carts, const ImageUrls& images) {
    const RouteOptions user = signed_in();
    router.post(
        "/api/cart",
        [&carts, &images](Request& req) -> Response {
            GOMALL_TRY(const auto line, req, read_line(req));
            return respond(req, carts.add(req.user_id(), line.product_id, line.quantity), item_view(images));
        },
        user
    );
    router.get(
        "/api/cart", [&carts, &images](Request& req) { return list_cart(req, carts, images); }, user
    );
    router.put(
        "/api/cart",
        [&carts, &images](Request& req) -> Response {
            GOMALL_TRY(const auto line, req, read_line(req, true));
            return respond(req, carts.update(req.user_id(), line.product_id, line.quantity), item_view(images));
        },
        user
    );
    router.del(
        "/api/cart", [&carts](Request& req) { return remove_line(req, carts); }, user
    );
    router.del(
        "/api/cart/clear",
        [&carts](Request& req) -> Response {
            carts.clear(req.user_id());
            return ok(req, nullptr);
        },
        user
    );
}

}  // namespace gomall::http
