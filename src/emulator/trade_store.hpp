// The emulator's memory of payments and refunds, and the rules WeChat applies to them (repeat
// orders, closing a paid order, refunding more than was paid). Protocol-neutral: the APIv3 and
// APIv2 routes translate its outcomes into their own error codes. Thread-safe; every answer is a
// copy, so callers never hold a lock.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/wechatpay/v2_sign.hpp"
#include "core/money.hpp"
#include "core/time.hpp"

namespace gomall::emulator {

/// Which API created a payment; its notifications go out in the same protocol.
enum class Protocol { kV3, kV2 };
std::string_view protocol_name(Protocol p);

enum class TradeState { kNotPay, kSuccess, kClosed, kRefund };
/// WeChat's words: "NOTPAY", "SUCCESS", "CLOSED", "REFUND".
std::string_view trade_state_name(TradeState s);
/// WeChat's trade_state_desc for each state.
std::string_view trade_state_desc(TradeState s);

/// One attempt to deliver a notification, as GET /emulator/transactions shows it.
struct DeliveryRecord {
    int attempt = 0;
    int status = 0;      // the HTTP status the shop answered; 0 when no answer came
    std::string answer;  // its first 200 characters, or the transport error
    TimePoint at;
    std::string event;  // "TRANSACTION.SUCCESS", "REFUND.SUCCESS"
    bool delivered = false;
};

struct RefundRecord {
    std::string out_refund_no;
    std::string refund_id;
    std::string out_trade_no;
    std::string transaction_id;
    std::string reason;
    std::string notify_url;
    Cents refund = 0;
    Cents total = 0;        // the payment's total
    Cents payer_total = 0;  // what the payer paid
    std::string currency = "CNY";
    TimePoint created_at;
    TimePoint success_time;  // refunds succeed at once here
};

struct Trade {
    Protocol protocol = Protocol::kV3;
    wechatpay::V2SignType sign_type = wechatpay::V2SignType::kMd5;  // APIv2: how its notification is signed
    std::string app_id;
    std::string mch_id;
    std::string out_trade_no;
    std::string description;
    std::string notify_url;
    std::string product_id;
    std::string client_ip;
    Cents total = 0;
    std::string currency = "CNY";
    TimePoint created_at;
    std::optional<TimePoint> expires_at;
    std::string code_token;  // the pr= of the code_url and of the scan page
    std::string prepay_id;

    TradeState state = TradeState::kNotPay;
    std::string transaction_id;  // set when paid
    std::string openid;
    std::optional<TimePoint> success_time;
    Cents payer_total = 0;
    Cents refunded = 0;
    std::vector<std::string> refund_nos;  // in the order they were made
};

/// Why an operation was refused.
enum class TradeProblem {
    kNotFound,
    kAmountMismatch,  // the same out_trade_no again with another amount
    kPaid,            // paid (or refunded) already
    kClosed,          // closed by the merchant
    kExpired,         // past time_expire
    kNotPaid,         // a refund of a payment that never went through
    kNotEnough,       // refund larger than what is left to refund
    kTotalMismatch,   // the refund names another total than the payment's
    kRefundNoTaken,   // the out_refund_no belongs to another payment
    kFull,            // max_trades reached
};

template <class T>
using Outcome = std::variant<T, TradeProblem>;

struct PayOptions {
    std::optional<Cents> amount;  // what the payer pays, when not the order's total
    bool ignore_closed = false;   // pay even a closed or expired order (a payment racing the close)
};

struct NewRefund {
    std::string out_trade_no;
    std::string out_refund_no;
    std::string reason;
    std::string notify_url;
    Cents refund = 0;
    Cents total = 0;
};

struct RefundOutcome {
    RefundRecord refund;
    Trade trade;
    bool created = false;  // false: the same out_refund_no again, answered from memory
};

class TradeStore {
public:
    explicit TradeStore(std::size_t max_trades) : max_trades_(max_trades) {}

    /// Stores `draft` (state, ids and token are filled here), or answers the stored trade when the
    /// same out_trade_no comes again unpaid with the same amount.
    Outcome<Trade> create(Trade draft);
    std::optional<Trade> find(std::string_view out_trade_no) const;
    std::optional<Trade> find_by_token(std::string_view token) const;
    std::optional<Trade> find_by_transaction_id(std::string_view transaction_id) const;

    /// Closing a closed trade succeeds again; a paid one is kPaid.
    Outcome<Trade> close(std::string_view out_trade_no);
    Outcome<Trade> pay(std::string_view out_trade_no, TimePoint now, const PayOptions& options);
    Outcome<RefundOutcome> refund(const NewRefund& request, TimePoint now);
    std::optional<RefundRecord> find_refund(std::string_view out_refund_no) const;
    std::vector<RefundRecord> refunds_of(std::string_view out_trade_no) const;

    /// Notification attempts, kept per out_trade_no (also for orders the emulator never saw).
    void record_delivery(const std::string& out_trade_no, DeliveryRecord record);
    std::vector<DeliveryRecord> deliveries(std::string_view out_trade_no) const;

private:
    std::size_t max_trades_;
    mutable std::mutex mutex_;
    std::map<std::string, Trade, std::less<>> trades_;
    std::map<std::string, std::string, std::less<>> by_token_;        // pr token -> out_trade_no
    std::map<std::string, std::string, std::less<>> by_transaction_;  // transaction_id -> out_trade_no
    std::map<std::string, RefundRecord, std::less<>> refunds_;
    std::map<std::string, std::vector<DeliveryRecord>, std::less<>> deliveries_;
};

}  // namespace gomall::emulator
