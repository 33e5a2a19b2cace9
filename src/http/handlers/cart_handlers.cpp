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

boost::json::value item_json(const domain::CartItem& item) {
    return cart_item_json(item, services::CartService::available(item));
}

boost::json::value null_json(const Unit&) {
    return nullptr;
}

struct LineRequest {
    std::int64_t product_id = 0;
    int quantity = 0;
};

Result<LineRequest> read_line(const Request& req) {
    auto body = JsonBody::parse(req, {"product_id", "quantity"});
    if (!body.ok()) {
        return body.error();
    }
    auto product_id = body->required_int("product_id", 1, kMaxId);
    if (!product_id.ok()) {
        return product_id.error();
    }
    auto quantity = body->required_int("quantity", 1, domain::kMaxCartQuantity);
    if (!quantity.ok()) {
        return quantity.error();
    }
    return LineRequest{product_id.value(), static_cast<int>(quantity.value())};
}

Response list_cart(Request& req, services::CartService& carts) {
    const auto summary = carts.list(req.user_id());
    boost::json::array list;
    list.reserve(summary.items.size());
    for (const auto& item : summary.items) {
        list.push_back(item_json(item));
    }
    boost::json::object data;
    data["list"] = std::move(list);
    data["total"] = static_cast<std::int64_t>(summary.items.size());
    data["total_quantity"] = summary.total_quantity;
    data["total_price"] = money_json(summary.total_price);
    return ok(req, std::move(data));
}

Response remove_line(Request& req, services::CartService& carts) {
    // query_int treats an empty value as absent, but here absent is an error too.
    if (const auto raw = req.query_param("product_id"); !raw || raw->empty()) {
        return error_response(req, ErrorCode::kBadRequest, "product_id: is required", "product_id");
    }
    GOMALL_TRY(const auto product_id, req, query_int(req, "product_id", 0, 1, kMaxId));
    return respond(req, carts.remove(req.user_id(), product_id), null_json);
}

// Built field by field: designated initializers that skip members trip -Wmissing-field-initializers.
RouteOptions signed_in() {
    RouteOptions options;
    options.auth = true;
    return options;
}

}  // namespace

void register_cart_routes(Router& router, services::CartService& carts) {
    const RouteOptions user = signed_in();
    router.post(
        "/api/cart",
        [&carts](Request& req) -> Response {
            GOMALL_TRY(const auto line, req, read_line(req));
            return respond(req, carts.add(req.user_id(), line.product_id, line.quantity), item_json);
        },
        user
    );
    router.get(
        "/api/cart", [&carts](Request& req) { return list_cart(req, carts); }, user
    );
    router.put(
        "/api/cart",
        [&carts](Request& req) -> Response {
            GOMALL_TRY(const auto line, req, read_line(req));
            return respond(req, carts.update(req.user_id(), line.product_id, line.quantity), item_json);
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
