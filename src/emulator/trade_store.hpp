// The emulator's memory of payments and refunds, and the rules WeChat applies to them (repeat
// orders, closing a paid order, refunding more than was paid). Protocol-neutral: the APIv3 and
// APIv2 routes translate its outcomes into their own error codes. Bounded: past its limits it
// forgets the oldest finished trades, never one still payable or still being notified. Thread-safe;
// every answer is a copy, so callers never hold a lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
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
    kRefundLimit,     // the payment has had as many refunds as one payment may have
    kFull,            // max_trades (or max_refunds) reached and every trade held is still live
};

template <class T>
using Outcome = std::variant<T, TradeProblem>;

struct PayOptions {
    std::optional<Cents> amount;  // what the payer pays, when not the order's total
    bool ignore_closed = false;   // pay even a closed or expired order (a payment racing the close)
    int notifications = 0;        // notifications queued for this payment: the trade is kept until each finished
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

/// How much the store keeps. A trade is live while it can still be paid (NOTPAY) or a notification
/// about it is queued or in flight; every other trade is final and may be forgotten, oldest first,
/// to make room.
struct TradeStoreLimits {
    std::size_t max_trades = 10000;          // trades held, live and final
    std::size_t max_refunds = 10000;         // refunds held, over all trades
    std::size_t max_refunds_per_trade = 50;  // WeChat's own limit of partial refunds per payment
    std::size_t deliveries_per_trade = 20;   // the last notification attempts kept per order
    std::size_t untracked_logs = 1000;       // delivery logs of orders the store does not hold
};

/// What the store holds right now (for /emulator/health and tests).
struct TradeStoreCounts {
    std::size_t trades = 0;
    std::size_t live = 0;
    std::size_t refunds = 0;
    std::size_t delivery_records = 0;  // in all logs, tracked and untracked
    std::size_t untracked_logs = 0;
    std::size_t evicted = 0;  // final trades forgotten since the start
};

class TradeStore {
public:
    /// Every limit must be at least 1 (std::invalid_argument otherwise).
    explicit TradeStore(TradeStoreLimits limits);

    /// Stores `draft` (state, ids and token are filled here), or answers the stored trade when the
    /// same out_trade_no comes again unpaid with the same amount. When max_trades is reached the
    /// oldest final trade is forgotten first; kFull when every trade held is live.
    Outcome<Trade> create(Trade draft);
    std::optional<Trade> find(std::string_view out_trade_no) const;
    std::optional<Trade> find_by_token(std::string_view token) const;
    std::optional<Trade> find_by_transaction_id(std::string_view transaction_id) const;

    /// Closing a closed trade succeeds again; a paid one is kPaid.
    Outcome<Trade> close(std::string_view out_trade_no);
    Outcome<Trade> pay(std::string_view out_trade_no, TimePoint now, const PayOptions& options);
    /// A new refund naming a notify_url counts as a notification owed (the emulator sends one for
    /// it) until notification_finished().
    Outcome<RefundOutcome> refund(const NewRefund& request, TimePoint now);
    std::optional<RefundRecord> find_refund(std::string_view out_refund_no) const;
    std::vector<RefundRecord> refunds_of(std::string_view out_trade_no) const;

    /// One notification counted by pay() or refund() has had its last attempt: the trade may
    /// become final.
    void notification_finished(std::string_view out_trade_no);

    /// Notification attempts, the last deliveries_per_trade kept per out_trade_no (also for orders
    /// the store does not hold: the oldest of those logs go first past untracked_logs).
    void record_delivery(const std::string& out_trade_no, DeliveryRecord record);
    std::vector<DeliveryRecord> deliveries(std::string_view out_trade_no) const;

    TradeStoreCounts counts() const;

private:
    struct Held {
        Trade trade;
        std::uint64_t seq = 0;  // creation order: the oldest final trade is forgotten first
        int notifications = 0;  // queued or in flight
        std::deque<DeliveryRecord> deliveries;
    };
    struct UntrackedLog {
        std::uint64_t seq = 0;
        std::deque<DeliveryRecord> deliveries;
    };

    static bool live(const Held& held);
    /// Files `held` as evictable or not after any change to it.
    void refile(const Held& held);
    /// Forgets the oldest final trade other than `keep`; false when there is none.
    bool evict_oldest(std::uint64_t keep);
    /// Warns once per spell of refusals.
    void refusing(std::string_view what, std::size_t held);
    void append(std::deque<DeliveryRecord>& log, DeliveryRecord record);

    TradeStoreLimits limits_;
    mutable std::mutex mutex_;
    std::uint64_t next_seq_ = 1;  // 0 is no trade
    std::map<std::string, Held, std::less<>> trades_;
    std::map<std::uint64_t, std::string> final_;                      // seq -> out_trade_no, oldest first
    std::map<std::string, std::string, std::less<>> by_token_;        // pr token -> out_trade_no
    std::map<std::string, std::string, std::less<>> by_transaction_;  // transaction_id -> out_trade_no
    std::map<std::string, RefundRecord, std::less<>> refunds_;
    std::map<std::string, UntrackedLog, std::less<>> untracked_;  // logs of orders not held
    std::map<std::uint64_t, std::string> untracked_order_;        // seq -> out_trade_no, oldest first
    std::size_t delivery_records_ = 0;
    std::size_t evicted_ = 0;
    bool refusing_ = false;
};

}  // namespace gomall::emulator
