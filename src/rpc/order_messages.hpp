// Orders <-> their gomall.v1 messages, used by both ends of the order service's rpc
// (OrderService). Money is cents and times unix millis on the wire, as everywhere in the package.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "domain/order.hpp"
#include "domain/product.hpp"
#include "gomall/v1/order.pb.h"

namespace gomall::rpc {

void to_message(const domain::OrderItem& item, v1::OrderItem& out);
domain::OrderItem from_message(const v1::OrderItem& in);

void to_message(const domain::Order& order, v1::Order& out);
domain::Order from_message(const v1::Order& in);

/// The filter and the page; the query's user_id does not travel (the shopper is in the call's
/// metadata, and the admin listing names none), so from_message leaves it 0 for the caller to set.
/// A request without a page asks for page 1 of 20.
void to_message(const domain::OrderQuery& query, v1::ListOrdersRequest& out);
domain::OrderQuery from_message(const v1::ListOrdersRequest& in);

void to_message(const domain::Page<domain::Order>& page, v1::ListOrdersResponse& out);
domain::Page<domain::Order> from_message(const v1::ListOrdersResponse& in);

/// The checkout's selection: nullopt (every line of the cart) and an empty list (nothing) stay
/// apart on the wire.
void to_message(const std::optional<std::vector<std::int64_t>>& product_ids, v1::CheckoutRequest& out);
std::optional<std::vector<std::int64_t>> from_message(const v1::CheckoutRequest& in);

}  // namespace gomall::rpc
