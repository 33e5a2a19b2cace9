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
boost::json::object product_json(const domain::Product& product);
/// `available`: the line can be bought now (on sale, not deleted, stock >= quantity).
boost::json::object cart_item_json(const domain::CartItem& item, bool available);
boost::json::object order_json(const domain::Order& order);

}  // namespace gomall::http
