// JSON shapes of catalogue, cart and order objects in API responses (field names are part of the contract),
// and the paging parameters of the list routes that return them.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "domain/cart.hpp"
#include "domain/order.hpp"
#include "domain/product.hpp"
#include "http/envelope.hpp"
#include "http/image_urls.hpp"
#include "http/request.hpp"

namespace gomall::http {

/// ?page (default 1, >= 1) and ?page_size (default 20, 1..100), shared by every list route.
struct PageParams {
    int page = 1;
    int page_size = 20;
};
Result<PageParams> read_page_params(const Request& req);

/// The list shape {"list","total","page","page_size","total_page"} of a page of domain objects.
template <class T, class F>
boost::json::object page_json(const domain::Page<T>& page, F&& to_json) {
    boost::json::array list;
    list.reserve(page.items.size());
    for (const auto& item : page.items) {
        list.push_back(to_json(item));
    }
    return page_object(std::move(list), page.total, page.page, page.page_size);
}

boost::json::object category_json(const domain::Category& category);
/// Image fields (image_url, product_image) go through `images`, so they carry the public base.
boost::json::object product_json(const domain::Product& product, const ImageUrls& images);
/// `available`: the line can be bought now (on sale, not deleted, stock >= quantity). Carries the
/// original GoMall's names too (product_name, product_image, sub_total) beside ours.
boost::json::object cart_item_json(const domain::CartItem& item, bool available, const ImageUrls& images);
boost::json::object order_json(const domain::Order& order, const ImageUrls& images);

/// product_json / order_json bound to `images`, for page_json and respond (which take one argument).
inline auto product_view(const ImageUrls& images) {
    return [&images](const domain::Product& product) {
        return product_json(product, images);
    };
}
inline auto order_view(const ImageUrls& images) {
    return [&images](const domain::Order& order) {
        return order_json(order, images);
    };
}

}  // namespace gomall::http
