// Rows of the order side's and the reservations' tables as SOCI reads them: an order line (the
// same five columns in order_items and stock_reservation_lines) and a bare order number.
#pragma once

#include <string>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/sql_util.hpp"
#include "domain/order.hpp"

namespace gomall::adapters::sql {

/// product_id, product_name, product_image, quantity, unit_price_cents, in that order.
struct OrderItemRow {
    long long product_id = 0;
    std::string product_name, product_image;
    int quantity = 0;
    long long unit_price = 0;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(product_id));
        st.exchange(soci::into(product_name));
        st.exchange(soci::into(product_image));
        st.exchange(soci::into(quantity));
        st.exchange(soci::into(unit_price));
    }

    domain::OrderItem to_domain() const { return {product_id, product_name, product_image, quantity, unit_price}; }
};

/// The order lines a query of those five columns answers, in its order.
inline std::vector<domain::OrderItem> fetch_order_items(soci::session& session, Query& query) {
    std::vector<domain::OrderItem> out;
    for (const OrderItemRow& row : fetch_rows<OrderItemRow>(session, query)) {
        out.push_back(row.to_domain());
    }
    return out;
}

struct OrderNumberRow {
    std::string order_no;
    void exchange(soci::statement& st) { st.exchange(soci::into(order_no)); }
};

}  // namespace gomall::adapters::sql
