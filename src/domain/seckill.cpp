#include "domain/seckill.hpp"

#include <utility>

namespace gomall::domain {

const char* activity_state_name(ActivityState state) {
    switch (state) {
        case ActivityState::kUpcoming:
            return "upcoming";
        case ActivityState::kActive:
            return "active";
        case ActivityState::kSoldOut:
            return "sold_out";
        case ActivityState::kEnded:
            return "ended";
    }
    return "ended";
}

Order flash_sale_order(
    const Reservation& won, std::string product_name, std::string product_image, TimePoint now, TimePoint expires_at
) {
    OrderDraft draft;
    draft.order_no = won.order_no;
    draft.user_id = won.user_id;
    draft.now = now;
    draft.expires_at = expires_at;
    Order order = awaiting_payment(
        draft, {OrderItem{won.product_id, std::move(product_name), std::move(product_image), 1, won.price}}
    );
    order.seckill_activity_id = won.activity_id;
    return order;
}

std::optional<std::string> flash_sale_order_fault(const Order& order) {
    constexpr std::size_t kMaxOrderNo = 32;  // the order tables' column
    if (order.order_no.empty() || order.order_no.size() > kMaxOrderNo) {
        return "order_no must be 1 to 32 characters";
    }
    for (const char c : order.order_no) {
        if (c <= ' ' || c > '~') {
            return "order_no must be printable ASCII";
        }
    }
    if (order.user_id <= 0 || order.product_id <= 0 || order.seckill_activity_id <= 0) {
        return "user_id, product_id and seckill_activity_id must be positive";
    }
    if (order.items.size() != 1 || order.quantity != 1 || order.items.front().quantity != 1) {
        return "a flash-sale order is one line of one unit";
    }
    if (order.items.front().product_id != order.product_id || order.items.front().unit_price != order.total_price ||
        order.total_price < 0) {
        return "the line must be the order's product at its total price";
    }
    if (order.status != OrderStatus::kAwaitingPayment) {
        return "a new flash-sale order awaits payment";
    }
    return std::nullopt;
}

}  // namespace gomall::domain
