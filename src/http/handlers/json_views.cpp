// Conversion of domain objects to their API JSON. Money goes through money_json (exact two decimals),
// times through format_iso8601 (UTC).
#include "http/handlers/json_views.hpp"

#include <string>

#include <boost/json/array.hpp>

#include "core/time.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

constexpr std::int64_t kMaxPage = 1'000'000;
constexpr std::int64_t kMaxPageSize = 100;

}  // namespace

Result<PageParams> read_page_params(const Request& req) {
    auto page = query_int(req, "page", 1, 1, kMaxPage);
    if (!page.ok()) {
        return page.error();
    }
    auto page_size = query_int(req, "page_size", 20, 1, kMaxPageSize);
    if (!page_size.ok()) {
        return page_size.error();
    }
    return PageParams{static_cast<int>(page.value()), static_cast<int>(page_size.value())};
}

boost::json::object category_json(const domain::Category& category) {
    boost::json::object out;
    out["id"] = category.id;
    out["name"] = category.name;
    return out;
}

boost::json::object product_json(const domain::Product& product, const ImageUrls& images) {
    boost::json::object out;
    out["id"] = product.id;
    out["name"] = product.name;
    out["description"] = product.description;
    out["price"] = money_json(product.price);
    out["stock"] = product.stock;
    out["category_id"] = product.category_id;
    out["category"] = product.category;
    out["image_url"] = images.public_url(product.image_url);
    out["status"] = static_cast<int>(product.status);
    out["sales"] = product.sales;
    out["created_at"] = format_iso8601(product.created_at);
    out["updated_at"] = format_iso8601(product.updated_at);
    return out;
}

boost::json::object cart_item_json(const domain::CartItem& item, bool available, const ImageUrls& images) {
    const std::string image = images.public_url(item.image_url);
    boost::json::object out;
    out["id"] = item.id;
    out["user_id"] = item.user_id;
    out["product_id"] = item.product_id;
    out["quantity"] = item.quantity;
    out["name"] = item.name;
    out["product_name"] = item.name;  // the original GoMall's name for it
    out["price"] = money_json(item.price);
    out["sub_total"] = money_json(item.price * item.quantity);
    out["image_url"] = image;
    out["product_image"] = image;  // the original GoMall's name for it
    out["stock"] = item.stock;
    out["status"] = static_cast<int>(item.status);
    out["available"] = available;
    out["created_at"] = format_iso8601(item.created_at);
    out["updated_at"] = format_iso8601(item.updated_at);
    return out;
}

boost::json::object order_json(const domain::Order& order, const ImageUrls& images) {
    boost::json::array items;
    items.reserve(order.items.size());
    for (const auto& line : order.items) {
        boost::json::object item;
        item["product_id"] = line.product_id;
        item["product_name"] = line.product_name;
        item["product_image"] = images.public_url(line.product_image);
        item["quantity"] = line.quantity;
        item["price"] = money_json(line.unit_price);
        items.push_back(std::move(item));
    }
    boost::json::object out;
    out["id"] = order.id;
    out["order_no"] = order.order_no;
    out["user_id"] = order.user_id;
    out["product_id"] = order.product_id;
    out["product_name"] = order.product_name;
    out["product_image"] = images.public_url(order.product_image);
    out["quantity"] = order.quantity;
    out["total_price"] = money_json(order.total_price);
    out["status"] = static_cast<int>(order.status);
    out["pay_type"] = static_cast<int>(order.pay_type);
    out["items"] = std::move(items);
    // Flash-sale orders name their activity; ordinary orders carry null.
    if (order.seckill_activity_id != 0) {
        out["seckill_activity_id"] = order.seckill_activity_id;
    } else {
        out["seckill_activity_id"] = nullptr;
    }
    out["expires_at"] = format_iso8601(order.expires_at);
    if (order.paid_at) {
        out["paid_at"] = format_iso8601(*order.paid_at);
    } else {
        out["paid_at"] = nullptr;
    }
    out["created_at"] = format_iso8601(order.created_at);
    out["updated_at"] = format_iso8601(order.updated_at);
    return out;
}

}  // namespace gomall::http
