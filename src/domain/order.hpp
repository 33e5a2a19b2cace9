// Orders and their lines. Numeric values are part of the API contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/time.hpp"

namespace gomall::domain {

enum class OrderStatus : int {
    kProcessing = 0,
    kAwaitingPayment = 1,
    kPaid = 2,
    kShipped = 3,
    kCompleted = 4,
    kCancelled = 5,
    kRefunded = 6,
};

enum class PayType : int { kNone = 0, kAlipay = 1, kWechat = 2, kDemo = 9 };

struct OrderItem {
    std::int64_t product_id = 0;
    std::string product_name;
    std::string product_image;
    int quantity = 0;
    Cents unit_price = 0;
};

struct Order {
    std::int64_t id = 0;
    std::string order_no;
    std::int64_t user_id = 0;
    // first line, for the flat fields the original API has
    std::int64_t product_id = 0;
    std::string product_name;
    std::string product_image;
    int quantity = 0;  // total units over all lines
    Cents total_price = 0;
    OrderStatus status = OrderStatus::kAwaitingPayment;
    PayType pay_type = PayType::kNone;
    std::vector<OrderItem> items;
    std::int64_t seckill_activity_id = 0;  // non-zero for flash-sale orders
    std::optional<TimePoint> paid_at;
    TimePoint expires_at;  // unpaid orders are cancelled after this
    TimePoint created_at;
    TimePoint updated_at;
};

struct OrderLineRequest {
    std::int64_t product_id = 0;
    int quantity = 0;
};

/// What the order repository needs to place an order atomically.
struct OrderDraft {
    std::string order_no;
    std::int64_t user_id = 0;
    std::vector<OrderLineRequest> lines;
    TimePoint now;
    TimePoint expires_at;
    bool remove_from_cart = false;  // checkout: delete the bought lines from the user's cart in the same transaction
};

/// The order a draft becomes once its stock is taken: awaiting payment, its lines as taken (with
/// the prices of that moment), the flat first-line fields filled. `items` must not be empty.
Order awaiting_payment(const OrderDraft& draft, std::vector<OrderItem> items);

struct OrderQuery {
    std::int64_t user_id = 0;  // 0 = all users (admin)
    std::optional<OrderStatus> status;
    int page = 1;
    int page_size = 20;
};

}  // namespace gomall::domain
