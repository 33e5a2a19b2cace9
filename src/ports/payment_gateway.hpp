// A payment provider (WeChat Pay today), as the payment service sees it: create a Native (QR code)
// payment, query, close, refund, query a refund, and turn an incoming notification into facts.
// Services never see the wire format, signatures or HTTP; adapters own all of that.
// Every call blocks on the network: call them from the blocking pool or a worker thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "core/error.hpp"
#include "core/money.hpp"
#include "core/time.hpp"

namespace gomall::ports {

/// The provider's view of a payment (WeChat's trade_state).
enum class TradeState { kNotPay, kSuccess, kClosed, kRefund, kRevoked, kUserPaying, kPayError, kUnknown };

/// The provider's view of a refund.
enum class RefundState { kProcessing, kSuccess, kClosed, kAbnormal, kUnknown };

struct NativePaymentRequest {
    std::string out_trade_no;  // our payment number (one order may have several over time)
    std::string description;   // shown to the payer; the adapter trims it to the provider's limit
    Cents total = 0;           // fen
    TimePoint expires_at;      // the provider refuses to take money after this
    std::string client_ip;     // the shopper's address (APIv2 requires one)
};

struct NativePayment {
    std::string code_url;   // weixin://wxpay/bizpayurl?pr=... : the QR code's content
    std::string prepay_id;  // APIv2 answers one; APIv3 Native does not (empty)
};

/// A payment as the provider reports it, from a query or a verified notification.
struct Transaction {
    std::string app_id;
    std::string mch_id;
    std::string out_trade_no;
    std::string transaction_id;  // the provider's id; empty until paid
    TradeState state = TradeState::kUnknown;
    std::string state_text;  // the provider's word for it ("SUCCESS", "NOTPAY", ...)
    Cents total = 0;         // what the order asked for
    Cents payer_total = 0;   // what the payer paid
    std::string currency;    // "CNY"
    std::optional<TimePoint> success_time;
};

struct RefundRequest {
    std::string out_trade_no;
    std::string transaction_id;  // may be empty: the provider finds it by out_trade_no
    std::string out_refund_no;   // ours, unique per refund; retried calls reuse it (idempotent)
    Cents refund = 0;
    Cents total = 0;  // the payment's total
    std::string reason;
};

struct Refund {
    std::string mch_id;
    std::string out_trade_no;
    std::string out_refund_no;
    std::string refund_id;  // the provider's id
    RefundState state = RefundState::kUnknown;
    std::string state_text;
    Cents refund = 0;
    Cents total = 0;
    std::optional<TimePoint> success_time;
};

/// An HTTP request as it reached the notify route: header names lower-case.
struct IncomingNotification {
    std::map<std::string, std::string> headers;
    std::string body;
};

/// A notification whose signature, ids and format checked out.
struct VerifiedNotification {
    std::string id;  // the provider's event id (APIv3) or transaction id (APIv2), for the record
    std::variant<Transaction, Refund> event;
};

/// What to answer the provider: its own format (APIv3 JSON, APIv2 XML), produced by the adapter.
struct NotificationAnswer {
    int status = 200;
    std::string content_type;
    std::string body;
};

/// Failures the service can act on; anything else is an exception (a bug, a broken config).
enum class GatewayFailure {
    kUnavailable,  // network error, timeout, 5xx, a response whose signature fails: try again later
    kRejected,     // the provider refused the request (bad parameters, not enough balance...)
    kNotFound,     // no such payment or refund at the provider
    kAlreadyPaid,  // close: the payment went through meanwhile
    kClosed,       // the payment is closed, or expired at the provider
};

struct GatewayError {
    GatewayFailure failure = GatewayFailure::kUnavailable;
    std::string code;                     // the provider's code ("ORDERPAID", "ORDER_NOT_EXIST", "timeout"...)
    std::string message;                  // for the log, never shown to shoppers verbatim
    std::chrono::seconds retry_after{0};  // kUnavailable: when known, how long until a retry may succeed
};

template <class T>
using GatewayResult = std::variant<T, GatewayError>;

class PaymentGateway {
public:
    virtual ~PaymentGateway() = default;

    /// "wechat_v3" or "wechat_v2": recorded with every payment record.
    virtual std::string provider() const = 0;

    /// Set when the gateway already knows that a call made now would fail unanswered (a circuit
    /// breaker in front of it is open): how long until one may succeed. Lets the service answer
    /// "try again" before it records a payment attempt that cannot start.
    virtual std::optional<std::chrono::seconds> unavailable_for() const { return std::nullopt; }

    virtual GatewayResult<NativePayment> create_native(const NativePaymentRequest& request) = 0;
    virtual GatewayResult<Transaction> query(const std::string& out_trade_no) = 0;
    /// Success also when the payment was never created at the provider or is closed already.
    virtual GatewayResult<std::monostate> close(const std::string& out_trade_no) = 0;
    virtual GatewayResult<Refund> refund(const RefundRequest& request) = 0;
    virtual GatewayResult<Refund> query_refund(const std::string& out_refund_no) = 0;

    /// Verifies (signature, timestamp window, app and merchant ids, format) and decodes.
    /// An Error (never an exception) for anything that does not verify, with the reason for the log.
    virtual Result<VerifiedNotification> verify_notification(const IncomingNotification& notification) = 0;
    /// The answer to a notification: `accepted` says "handled, stop retrying"; otherwise the
    /// provider retries later. `reason` goes into a failure answer.
    virtual NotificationAnswer answer_notification(bool accepted, const std::string& reason) const = 0;
};

}  // namespace gomall::ports
