// Orders <-> messages.
#include "rpc/order_messages.hpp"

#include <cstddef>

#include "rpc/unix_millis.hpp"

namespace gomall::rpc {
namespace {

// The wire's numbers are the public API's, and the domain's are too: a status or pay type is
// carried as its number, so one a newer peer adds passes through unchanged rather than being
// turned into another.
static_assert(static_cast<int>(domain::OrderStatus::kProcessing) == v1::ORDER_STATUS_PROCESSING);
static_assert(static_cast<int>(domain::OrderStatus::kAwaitingPayment) == v1::ORDER_STATUS_AWAITING_PAYMENT);
static_assert(static_cast<int>(domain::OrderStatus::kPaid) == v1::ORDER_STATUS_PAID);
static_assert(static_cast<int>(domain::OrderStatus::kShipped) == v1::ORDER_STATUS_SHIPPED);
static_assert(static_cast<int>(domain::OrderStatus::kCompleted) == v1::ORDER_STATUS_COMPLETED);
static_assert(static_cast<int>(domain::OrderStatus::kCancelled) == v1::ORDER_STATUS_CANCELLED);
static_assert(static_cast<int>(domain::OrderStatus::kRefunded) == v1::ORDER_STATUS_REFUNDED);
static_assert(static_cast<int>(domain::PayType::kNone) == v1::PAY_TYPE_NONE);
static_assert(static_cast<int>(domain::PayType::kAlipay) == v1::PAY_TYPE_ALIPAY);
static_assert(static_cast<int>(domain::PayType::kWechat) == v1::PAY_TYPE_WECHAT);
static_assert(static_cast<int>(domain::PayType::kDemo) == v1::PAY_TYPE_DEMO);

v1::OrderStatus to_message(domain::OrderStatus status) {
    return static_cast<v1::OrderStatus>(status);
}

domain::OrderStatus from_message(v1::OrderStatus status) {
    return static_cast<domain::OrderStatus>(status);
}

v1::PayType to_message(domain::PayType pay_type) {
    return static_cast<v1::PayType>(pay_type);
}

domain::PayType from_message(v1::PayType pay_type) {
    return static_cast<domain::PayType>(pay_type);
}

}  // namespace

void to_message(const domain::OrderItem& item, v1::OrderItem& out) {
    out.set_product_id(item.product_id);
    out.set_product_name(item.product_name);
    out.set_product_image(item.product_image);
    out.set_quantity(item.quantity);
    out.set_unit_price_cents(item.unit_price);
}

domain::OrderItem from_message(const v1::OrderItem& in) {
    domain::OrderItem item;
    item.product_id = in.product_id();
    item.product_name = in.product_name();
    item.product_image = in.product_image();
    item.quantity = in.quantity();
    item.unit_price = in.unit_price_cents();
    return item;
}

void to_message(const domain::Order& order, v1::Order& out) {
    out.set_id(order.id);
    out.set_order_no(order.order_no);
    out.set_user_id(order.user_id);
    out.set_product_id(order.product_id);
    out.set_product_name(order.product_name);
    out.set_product_image(order.product_image);
    out.set_quantity(order.quantity);
    out.set_total_price_cents(order.total_price);
    out.set_status(to_message(order.status));
    out.set_pay_type(to_message(order.pay_type));
    out.mutable_items()->Reserve(static_cast<int>(order.items.size()));
    for (const auto& item : order.items) {
        to_message(item, *out.add_items());
    }
    out.set_seckill_activity_id(order.seckill_activity_id);
    if (order.paid_at) {
        out.set_paid_at_ms(to_unix_millis(*order.paid_at));
    }
    out.set_expires_at_ms(to_unix_millis(order.expires_at));
    out.set_created_at_ms(to_unix_millis(order.created_at));
    out.set_updated_at_ms(to_unix_millis(order.updated_at));
}

domain::Order from_message(const v1::Order& in) {
    domain::Order order;
    order.id = in.id();
    order.order_no = in.order_no();
    order.user_id = in.user_id();
    order.product_id = in.product_id();
    order.product_name = in.product_name();
    order.product_image = in.product_image();
    order.quantity = in.quantity();
    order.total_price = in.total_price_cents();
    order.status = from_message(in.status());
    order.pay_type = from_message(in.pay_type());
    order.items.reserve(static_cast<std::size_t>(in.items_size()));
    for (const auto& item : in.items()) {
        order.items.push_back(from_message(item));
    }
    order.seckill_activity_id = in.seckill_activity_id();
    if (in.has_paid_at_ms()) {
        order.paid_at = from_unix_millis(in.paid_at_ms());
    }
    order.expires_at = from_unix_millis(in.expires_at_ms());
    order.created_at = from_unix_millis(in.created_at_ms());
    order.updated_at = from_unix_millis(in.updated_at_ms());
    return order;
}

void to_message(const domain::OrderQuery& query, v1::ListOrdersRequest& out) {
    out.mutable_page()->set_page(query.page);
    out.mutable_page()->set_page_size(query.page_size);
    if (query.status) {
        out.set_status(to_message(*query.status));
    }
}

domain::OrderQuery from_message(const v1::ListOrdersRequest& in) {
    domain::OrderQuery query;
    if (in.has_page()) {
        query.page = in.page().page();
        query.page_size = in.page().page_size();
    }
    if (in.has_status()) {
        query.status = from_message(in.status());
    }
    return query;
}

void to_message(const domain::Page<domain::Order>& page, v1::ListOrdersResponse& out) {
    out.mutable_orders()->Reserve(static_cast<int>(page.items.size()));
    for (const auto& order : page.items) {
        to_message(order, *out.add_orders());
    }
    auto& info = *out.mutable_page();
    info.set_total(page.total);
    info.set_page(page.page);
    info.set_page_size(page.page_size);
}

domain::Page<domain::Order> from_message(const v1::ListOrdersResponse& in) {
    domain::Page<domain::Order> page;
    page.items.reserve(static_cast<std::size_t>(in.orders_size()));
    for (const auto& order : in.orders()) {
        page.items.push_back(from_message(order));
    }
    page.total = in.page().total();
    page.page = in.page().page();
    page.page_size = in.page().page_size();
    return page;
}

void to_message(const std::optional<std::vector<std::int64_t>>& product_ids, v1::CheckoutRequest& out) {
    out.set_selected(product_ids.has_value());
    if (product_ids) {
        out.mutable_product_ids()->Reserve(static_cast<int>(product_ids->size()));
        for (const auto id : *product_ids) {
            out.add_product_ids(id);
        }
    }
}

std::optional<std::vector<std::int64_t>> from_message(const v1::CheckoutRequest& in) {
    if (!in.selected()) {
        return std::nullopt;
    }
    return std::vector<std::int64_t>(in.product_ids().begin(), in.product_ids().end());
}

}  // namespace gomall::rpc
