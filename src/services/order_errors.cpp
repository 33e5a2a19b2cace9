#include "services/order_errors.hpp"

namespace gomall::services {

std::string_view order_status_words(domain::OrderStatus status) {
    switch (status) {
        case domain::OrderStatus::kProcessing:
            return "processing";
        case domain::OrderStatus::kAwaitingPayment:
            return "awaiting payment";
        case domain::OrderStatus::kPaid:
            return "paid";
        case domain::OrderStatus::kShipped:
            return "shipped";
        case domain::OrderStatus::kCompleted:
            return "completed";
        case domain::OrderStatus::kCancelled:
            return "cancelled";
        case domain::OrderStatus::kRefunded:
            return "refunded";
    }
    return "unknown";
}

Error order_not_found(const std::string& order_no) {
    return make_error(ErrorCode::kOrderNotFound, "order " + order_no + " not found");
}

Error order_status_conflict(const domain::Order& order, std::string_view action) {
    return make_error(
        ErrorCode::kOrderStatusConflict,
        "order " + order.order_no + " is " + std::string(order_status_words(order.status)) + " and cannot be " +
            std::string(action)
    );
}

}  // namespace gomall::services
