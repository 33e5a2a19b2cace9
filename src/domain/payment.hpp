// Payments of orders through a provider (WeChat Pay): attempts, refunds and the record of every
// exchange with the provider. Amounts are integer cents (fen).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/money.hpp"
#include "core/time.hpp"

namespace gomall::domain {

/// One out_trade_no at the provider. An order normally has one; a new one is started only after
/// the previous was closed or failed, since a closed trade number cannot be reopened.
enum class AttemptStatus : int {
    kCreating = 0,  // row written, provider not yet asked (or the answer was lost)
    kOpen = 1,      // the provider issued a code_url; the payer may pay
    kPaid = 2,
    kClosed = 3,  // closed by us (shopper, timeout) or expired at the provider
    kFailed = 4,  // the provider refused to create it
};

struct PaymentAttempt {
    std::int64_t id = 0;
    std::string order_no;
    std::int64_t user_id = 0;
    int attempt_no = 1;
    std::string out_trade_no;  // "<order_no>-<attempt_no>"
    std::string provider;      // "wechat_v3", "wechat_v2"
    Cents amount = 0;
    AttemptStatus status = AttemptStatus::kCreating;
    std::string code_url;
    std::string prepay_id;
    std::string transaction_id;
    TimePoint expires_at;
    std::optional<TimePoint> paid_at;
    TimePoint created_at;
    TimePoint updated_at;
};

enum class RefundStatus : int { kProcessing = 0, kSuccess = 1, kClosed = 2, kAbnormal = 3 };

struct RefundEntry {
    std::int64_t id = 0;
    std::string out_refund_no;
    std::string order_no;
    std::string out_trade_no;
    std::string provider;
    Cents amount = 0;
    RefundStatus status = RefundStatus::kProcessing;
    std::string refund_id;
    /// Made by the shop itself for money that arrived after the order was cancelled (or paid
    /// twice); it does not count against the order's refundable amount.
    bool automatic = false;
    TimePoint created_at;
    TimePoint updated_at;
};

/// Append-only log line: every create, query that changed something, close, notification
/// (accepted or not), refund and its outcome, with the provider's raw ids.
struct PaymentRecord {
    std::int64_t id = 0;
    std::string order_no;  // empty for a notification that named no known order
    std::string kind;      // attempt | query | close | notification | refund | auto_refund
    std::string provider;
    std::string out_trade_no;
    std::string transaction_id;
    std::string out_refund_no;
    std::string refund_id;
    Cents amount = 0;
    std::string status;  // the provider's word or ours ("SUCCESS", "rejected: bad signature")
    std::string detail;
    TimePoint created_at;
};

std::string_view attempt_status_name(AttemptStatus status);
std::string_view refund_status_name(RefundStatus status);

}  // namespace gomall::domain
