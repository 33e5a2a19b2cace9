// Building an order from its draft and the lines taken for it.
#include "domain/order.hpp"

#include <utility>

namespace gomall::domain {

Order awaiting_payment(const OrderDraft& draft, std::vector<OrderItem> items) {
    Order order;
    order.order_no = draft.order_no;
    order.user_id = draft.user_id;
    order.status = OrderStatus::kAwaitingPayment;
    order.pay_type = PayType::kNone;
    order.expires_at = draft.expires_at;
    order.created_at = draft.now;
    order.updated_at = draft.now;
    order.items = std::move(items);
    for (const auto& item : order.items) {
        order.quantity += item.quantity;
        order.total_price += item.unit_price * item.quantity;
    }
    order.product_id = order.items.front().product_id;
    order.product_name = order.items.front().product_name;
    order.product_image = order.items.front().product_image;
    return order;
}

}  // namespace gomall::domain
