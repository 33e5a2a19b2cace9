// Paying for orders as the HTTP handlers see it: start a Native (QR code) payment, ask the
// provider, close, refund, read, and the provider's notifications. The class behind it may be in
// this process or remote.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "domain/order.hpp"
#include "domain/payment.hpp"
#include "ports/payment_gateway.hpp"

namespace gomall::services {

/// The provider's words for a trade state, as the original API answers them.
std::string trade_state_text(ports::TradeState state);

struct PaymentStarted {
    domain::Order order;
    domain::PaymentAttempt attempt;
    std::string scan_url;  // empty unless settings.scan_page_url is set
};

struct PaymentView {
    domain::Order order;
    std::optional<domain::PaymentAttempt> latest;  // the newest attempt, if any
    std::string trade_state;                       // from our records: NOTPAY, SUCCESS, REFUND, CLOSED, PAYERROR or ""
    Cents paid = 0;
    Cents refunded = 0;    // shopper refunds reserved or done
    Cents refundable = 0;  // paid minus refunded, 0 unless the order is paid, shipped or completed
    std::string scan_url;
    std::vector<domain::RefundEntry> refunds;
    std::vector<domain::PaymentRecord> records;  // newest first
};

struct QueryOutcome {
    domain::Order order;
    ports::Transaction transaction;
};

struct RefundOutcome {
    domain::Order order;
    domain::RefundEntry refund;
    Cents refunded = 0;
    Cents refundable = 0;
};

/// Every call blocks on the network and the database: call from the blocking pool.
class PaymentApi {
public:
    virtual ~PaymentApi() = default;
    /// False when no provider is configured: every other call answers kPaymentNotConfigured.
    virtual bool configured() const = 0;
    /// Errors: kOrderNotFound (also another shopper's order), kOrderStatusConflict,
    /// kPaymentAttemptsExhausted, kPaymentUnavailable, kPaymentRejected.
    virtual Result<PaymentStarted> start(
        std::int64_t user_id, const std::string& order_no, const std::string& client_ip
    ) = 0;
    /// Errors: kOrderNotFound, kPaymentNotStarted, kPaymentUnavailable.
    virtual Result<QueryOutcome> query(std::int64_t user_id, const std::string& order_no) = 0;
    /// Errors: kOrderNotFound, kOrderStatusConflict, kPaymentNotStarted, kPaymentUnavailable.
    virtual Result<domain::Order> close(std::int64_t user_id, const std::string& order_no) = 0;
    /// Errors: kOrderNotFound, kOrderStatusConflict, kBadRequest (amount), kRefundTooLarge,
    /// kPaymentUnavailable, kPaymentRejected.
    virtual Result<RefundOutcome> refund(std::int64_t user_id, const std::string& order_no, Cents amount) = 0;
    /// What the payment page shows; user_id 0 = any order (admin). Errors: kOrderNotFound.
    virtual Result<PaymentView> view(std::int64_t user_id, const std::string& order_no) = 0;
    /// The notify route: verifies, applies idempotently, and returns the provider's answer.
    virtual ports::NotificationAnswer handle_notification(const ports::IncomingNotification& notification) = 0;
};

}  // namespace gomall::services
