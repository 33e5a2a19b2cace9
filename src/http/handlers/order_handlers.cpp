// Order handlers: validate input, call OrderService, envelope the result.
#include "http/handlers/order_handlers.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/cart.hpp"
#include "domain/user.hpp"
#include "http/envelope.hpp"
#include "http/handlers/json_views.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxCheckoutIds = 200;
constexpr std::size_t kMaxOrderNoLength = 64;

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

/// The order number from the path, or nullopt when it cannot be one (answered 404 without a query).
std::optional<std::string> order_no_param(const Request& req) {
    const std::string_view order_no = req.param("order_no");
    if (order_no.empty() || order_no.size() > kMaxOrderNoLength ||
        !std::all_of(order_no.begin(), order_no.end(), [](unsigned char c) { return std::isalnum(c) != 0; })) {
        return std::nullopt;
    }
    return std::string(order_no);
}

Response order_not_found(const Request& req) {
    return error_response(req, ErrorCode::kOrderNotFound, "order " + std::string(req.param("order_no")) + " not found");
}

Result<std::optional<domain::OrderStatus>> read_status_filter(const Request& req) {
    // Checked here because the fallback of query_int would otherwise become a filter.
    if (const auto raw = req.query_param("status"); !raw || raw->empty()) {
        return std::optional<domain::OrderStatus>{};
    }
    auto status = query_int(req, "status", 0, 0, static_cast<int>(domain::OrderStatus::kRefunded));
    if (!status.ok()) {
        return status.error();
    }
    return std::optional<domain::OrderStatus>{static_cast<domain::OrderStatus>(status.value())};
}

/// {product_ids?: [positive ids]}; an empty body or a missing/null field means "the whole cart".
Result<std::optional<std::vector<std::int64_t>>> read_checkout_selection(const Request& req) {
    using Selection = std::optional<std::vector<std::int64_t>>;
    if (is_blank(req.body)) {
        return Selection{};
    }
    auto body = JsonBody::parse(req, {"product_ids"});
    if (!body.ok()) {
        return body.error();
    }
    const auto* field = body->object().if_contains("product_ids");
    if (field == nullptr || field->is_null()) {
        return Selection{};
    }
    const auto bad = make_error(
        ErrorCode::kBadRequest,
        "product_ids: must be an array of at most " + std::to_string(kMaxCheckoutIds) + " positive product ids",
        "product_ids"
    );
    if (!field->is_array() || field->get_array().size() > kMaxCheckoutIds) {
        return bad;
    }
    std::vector<std::int64_t> ids;
    ids.reserve(field->get_array().size());
    for (const auto& element : field->get_array()) {
        // Boost.JSON stores every integer that fits int64 as int64; larger ones cannot be ids.
        if (!element.is_int64() || element.get_int64() < 1) {
            return bad;
        }
        ids.push_back(element.get_int64());
    }
    return Selection{std::move(ids)};
}

Response create_order(Request& req, services::OrderApi& orders, const ImageUrls& images) {
    GOMALL_TRY(const auto body, req, (JsonBody::parse(req, {"product_id", "quantity"})));
    GOMALL_TRY(const auto product_id, req, body.required_int("product_id", 1, kMaxId));
    GOMALL_TRY(const auto quantity, req, body.required_int("quantity", 1, domain::kMaxCartQuantity));
    return respond(req, orders.create(req.user_id(), product_id, static_cast<int>(quantity)), order_view(images), 201);
}

Response checkout(Request& req, services::OrderApi& orders, const ImageUrls& images) {
    GOMALL_TRY(const auto selection, req, read_checkout_selection(req));
    return respond(req, orders.checkout(req.user_id(), selection), order_view(images), 201);
}

Response list_orders(Request& req, services::OrderApi& orders, const ImageUrls& images, bool all_users) {
    GOMALL_TRY(const auto paging, req, read_page_params(req));
    GOMALL_TRY(const auto status, req, read_status_filter(req));
    const auto page = all_users ? orders.list_all(status, paging.page, paging.page_size)
                                : orders.list(req.user_id(), status, paging.page, paging.page_size);
    return ok(req, page_json(page, order_view(images)));
}

Response get_order(Request& req, services::OrderApi& orders, const ImageUrls& images) {
    const auto order_no = order_no_param(req);
    if (!order_no) {
        return order_not_found(req);
    }
    // Admins may open any order from the admin order list; shoppers only their own.
    const bool admin = req.auth && req.auth->role == domain::Role::kAdmin;
    return respond(req, admin ? orders.get_any(*order_no) : orders.get(req.user_id(), *order_no), order_view(images));
}

template <class Action>
Response order_action(Request& req, const ImageUrls& images, Action&& action) {
    const auto order_no = order_no_param(req);
    if (!order_no) {
        return order_not_found(req);
    }
    return respond(req, action(req.user_id(), *order_no), order_view(images));
}

// Built field by field: designated initializers that skip members trip -Wmissing-field-initializers.
}  // namespace

void register_order_routes(Router& router, services::OrderApi& orders, const ImageUrls& images) {
    const RouteOptions user = signed_in();
    router.post(
        "/api/order", [&orders, &images](Request& req) { return create_order(req, orders, images); }, user
    );
    router.post(
        "/api/order/checkout", [&orders, &images](Request& req) { return checkout(req, orders, images); }, user
    );
    router.get(
        "/api/order", [&orders, &images](Request& req) { return list_orders(req, orders, images, false); }, user
    );
    router.get(
        "/api/order/:order_no", [&orders, &images](Request& req) { return get_order(req, orders, images); }, user
    );
    router.post(
        "/api/order/:order_no/pay",
        [&orders, &images](Request& req) {
            return order_action(req, images, [&orders](std::int64_t user_id, const std::string& order_no) {
                return orders.pay(user_id, order_no);
            });
        },
        user
    );
    router.post(
        "/api/order/:order_no/cancel",
        [&orders, &images](Request& req) {
            return order_action(req, images, [&orders](std::int64_t user_id, const std::string& order_no) {
                return orders.cancel(user_id, order_no);
            });
        },
        user
    );
    router.get(
        "/api/admin/order",
        [&orders, &images](Request& req) { return list_orders(req, orders, images, true); },
        admin_only()
    );
}

}  // namespace gomall::http
