// Paying for orders through a provider (WeChat Pay): start a Native (QR code) payment, ask the
// provider, close, refund, and handle its notifications. An order becomes paid only through a
// verified notification or the provider's own answer to a query, never because a client says so.
// Every method blocks on the network and the database: call from the blocking pool or a worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "domain/order.hpp"
#include "domain/payment.hpp"
#include "ports/clock.hpp"
#include "ports/order_repository.hpp"
#include "ports/payment_gateway.hpp"
#include "ports/payment_repository.hpp"
#include "services/order_metrics.hpp"
#include "services/payment_api.hpp"

namespace gomall::services {

struct PaymentSettings {
    int max_attempts = 5;  // per order; a new one is needed only after a close
    /// Dev and tests: the local emulator's scan page ("http://127.0.0.1:8090/pay/scan"); the QR
    /// code's pr= value is appended so a person can pay from a browser. Empty in production.
    std::string scan_page_url;
    int records_shown = 100;
    /// A payment attempt still "creating" after this long was left by a crash or a lost answer:
    /// the next start() closes it and starts another (longer than any call to the provider takes).
    std::chrono::milliseconds creating_grace{30000};
    /// A refund still processing after this long is asked about (and resent if the provider never
    /// got it) by retry_processing_refunds().
    std::chrono::milliseconds refund_retry_after{30000};
};

class PaymentService final : public PaymentApi {
public:
    /// `gateway` may be null: no provider is configured, and every call answers kPaymentNotConfigured.
    PaymentService(
        ports::OrderRepository& orders,
        ports::PaymentRepository& payments,
        ports::PaymentGateway* gateway,
        const ports::Clock& clock,
        PaymentSettings settings
    );

    /// Starts (or, while the previous one is open, repeats) a Native payment of the shopper's order.
    /// Errors: kOrderNotFound (also another shopper's order), kOrderStatusConflict (not awaiting
    /// payment, or past its deadline), kPaymentAttemptsExhausted, kPaymentUnavailable, kPaymentRejected.
    Result<PaymentStarted> start(std::int64_t user_id, const std::string& order_no, const std::string& client_ip)
        override;
    /// Asks the provider about the newest attempt and applies what it says (an authoritative
    /// answer may mark the order paid). Errors: kOrderNotFound, kPaymentNotStarted, kPaymentUnavailable.
    Result<QueryOutcome> query(std::int64_t user_id, const std::string& order_no) override;
    /// Closes the open attempt at the provider; the order stays awaiting payment (a new payment can
    /// be started until its deadline). Errors: kOrderNotFound, kOrderStatusConflict (paid meanwhile,
    /// or not awaiting payment), kPaymentNotStarted, kPaymentUnavailable.
    Result<domain::Order> close(std::int64_t user_id, const std::string& order_no) override;
    /// Refunds `amount` of a paid order, at most what was paid and not yet refunded. The order
    /// becomes refunded (6) when everything is. Errors: kOrderNotFound, kOrderStatusConflict,
    /// kBadRequest (amount), kRefundTooLarge, kPaymentUnavailable, kPaymentRejected.
    Result<RefundOutcome> refund(std::int64_t user_id, const std::string& order_no, Cents amount) override;
    /// What the payment page shows; user_id 0 = any order (admin). Errors: kOrderNotFound.
    Result<PaymentView> view(std::int64_t user_id, const std::string& order_no) override;

    /// The notify route: verifies, applies idempotently, and returns the provider's answer.
    ports::NotificationAnswer handle_notification(const ports::IncomingNotification& notification) override;

    /// OrderService's guard before cancelling an unpaid order: closes its open attempts at the
    /// provider. False when the provider says it was paid (the order is marked paid here instead).
    bool close_before_cancel(const std::string& order_no);

    /// Background repair, run by the unpaid-order sweeper: refunds left processing (a lost answer,
    /// the provider unreachable during an automatic refund) are asked about, resent when the
    /// provider never got them, and settled. Returns how many it settled.
    int retry_processing_refunds(int limit);

    bool configured() const override { return gateway_ != nullptr; }
    /// Counts orders paid and refunded here, and notifications accepted or refused. Set once at wiring time.
    void use_counters(const OrderCounters& counters) { counters_ = counters; }

private:
    Result<domain::Order> own_order(std::int64_t user_id, const std::string& order_no);
    /// own_order(), or kPaymentNotConfigured first when no provider is configured.
    Result<domain::Order> payable_order(std::int64_t user_id, const std::string& order_no);
    /// Applies a SUCCESS the provider reported for `attempt`. False when the facts do not match the
    /// attempt (amount, currency): nothing is changed and the mismatch is recorded.
    bool settle_paid(const domain::PaymentAttempt& attempt, const ports::Transaction& tx, const std::string& source);
    void auto_refund(const domain::PaymentAttempt& attempt, const ports::Transaction& tx, const std::string& why);
    /// Applies a refund outcome the provider reported. False if the refund is unknown.
    bool settle_refund(const ports::Refund& refund, const std::string& source, bool record_it = true);
    void refresh_processing_refunds(const std::string& order_no);
    /// The trade recorded as the one that paid the order (none: unpaid, or paid another way).
    std::optional<domain::PaymentAttempt> paying_attempt(const std::string& order_no);
    std::string scan_url_for(const std::string& code_url) const;
    /// A record line with the fields every line has; callers add ids and detail.
    static domain::PaymentRecord record_line(
        std::string order_no, std::string kind, std::string out_trade_no, Cents amount, std::string status
    );
    void record(domain::PaymentRecord record);
    ports::NotificationAnswer accepted_answer();
    ports::NotificationAnswer refused_answer(const std::string& reason);

    ports::OrderRepository& orders_;
    ports::PaymentRepository& payments_;
    ports::PaymentGateway* gateway_;
    const ports::Clock& clock_;
    const PaymentSettings settings_;
    OrderCounters counters_;
};

}  // namespace gomall::services
