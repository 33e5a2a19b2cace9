// HTTP routes of WeChat Pay, with the original GoMall's shapes (fields added, none renamed).
#pragma once

#include <string_view>

#include "http/router.hpp"
#include "services/payment_api.hpp"

namespace gomall::http {

/// Where the provider posts its payment and refund notifications.
inline constexpr std::string_view kPaymentNotifyPath = "/api/pay/wechat/notify";

/// Registers POST /api/pay/wechat/unified-order, GET /api/pay/wechat/query, POST /api/pay/wechat/close,
/// POST /api/pay/wechat/refund, GET /api/order/:order_no/payment (signed in; a shopper's own orders,
/// an admin any order for the last one) and POST /api/pay/wechat/notify (no auth: the provider's
/// signature is the authentication). `payments` must outlive the router.
void register_payment_routes(Router& router, services::PaymentApi& payments);
/// Only the provider's notification route (part of register_payment_routes): what the order
/// service serves on its own HTTP port, where the payment provider of a dev stack reaches it.
void register_payment_notify_route(Router& router, services::PaymentApi& payments);

}  // namespace gomall::http
