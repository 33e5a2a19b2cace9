// The order errors both the order and the payment service answer, worded once.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "domain/order.hpp"

namespace gomall::services {

/// "awaiting payment", "paid", ...: how messages name an order's state.
std::string_view order_status_words(domain::OrderStatus status);

/// kOrderNotFound, also for another shopper's order, so numbers cannot be probed.
Error order_not_found(const std::string& order_no);

/// kOrderStatusConflict: "order X is <state> and cannot be <action>".
Error order_status_conflict(const domain::Order& order, std::string_view action);

}  // namespace gomall::services
