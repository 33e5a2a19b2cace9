// Persistence of payment attempts, refunds and the payment record. Every state change is a
// guarded UPDATE whose row count says whether this caller made it, so concurrent notifications,
// queries and sweeps change each thing exactly once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"
#include "core/time.hpp"
#include "domain/payment.hpp"

namespace gomall::ports {

class PaymentRepository {
public:
    virtual ~PaymentRepository() = default;

    /// False, writing nothing, when the order already has an attempt with that number.
    virtual bool insert_attempt(const domain::PaymentAttempt& attempt) = 0;
    virtual std::optional<domain::PaymentAttempt> find_attempt(const std::string& out_trade_no) = 0;
    /// Oldest first.
    virtual std::vector<domain::PaymentAttempt> attempts_of(const std::string& order_no) = 0;
    /// creating -> open with the provider's code_url.
    virtual bool open_attempt(
        const std::string& out_trade_no, const std::string& code_url, const std::string& prepay_id, TimePoint now
    ) = 0;
    /// creating/open -> closed or failed. False if it was in neither (paid, say).
    virtual bool end_attempt(const std::string& out_trade_no, domain::AttemptStatus status, TimePoint now) = 0;
    /// Any state but paid -> paid. False when it was paid already (a duplicate notification).
    virtual bool claim_attempt_paid(
        const std::string& out_trade_no, const std::string& transaction_id, TimePoint paid_at, TimePoint now
    ) = 0;

    /// Awaiting payment (or processing) -> paid by WeChat Pay, naming `out_trade_no` as the trade
    /// that paid it, in one UPDATE. False if the order was not awaiting payment.
    virtual bool mark_order_paid(const std::string& order_no, const std::string& out_trade_no, TimePoint now) = 0;
    /// The trade that paid the order through mark_order_paid; empty when none did (unpaid, or paid
    /// another way).
    virtual std::string paid_trade_no(const std::string& order_no) = 0;

    /// Adds `amount` to the order's refunded total if the order is paid (or shipped, completed)
    /// and the total stays within what was paid. False otherwise (nothing changed).
    virtual bool reserve_refund(const std::string& order_no, Cents amount, TimePoint now) = 0;
    /// Gives back a reservation whose refund the provider refused.
    virtual void release_refund(const std::string& order_no, Cents amount, TimePoint now) = 0;
    /// What reserve_refund has added for the order so far.
    virtual Cents refunded_total(const std::string& order_no) = 0;

    /// False, writing nothing, when a refund with that out_refund_no exists.
    virtual bool insert_refund(const domain::RefundEntry& refund) = 0;
    virtual std::optional<domain::RefundEntry> find_refund(const std::string& out_refund_no) = 0;
    virtual std::vector<domain::RefundEntry> refunds_of(const std::string& order_no) = 0;
    /// Refunds still processing that were created before `before`, oldest first, at most `limit`:
    /// the ones a background retry asks about.
    virtual std::vector<domain::RefundEntry> processing_refunds(TimePoint before, int limit) = 0;
    /// processing -> `status` with the provider's refund id. False if it was no longer processing.
    virtual bool settle_refund(
        const std::string& out_refund_no, domain::RefundStatus status, const std::string& refund_id, TimePoint now
    ) = 0;
    /// Paid/shipped/completed -> refunded (6) when the refunded total reached the order's total
    /// and no shopper refund is still processing. True if this call changed the status.
    virtual bool mark_order_refunded_if_complete(const std::string& order_no, TimePoint now) = 0;

    virtual void append_record(const domain::PaymentRecord& record) = 0;
    /// Newest first, at most `limit`.
    virtual std::vector<domain::PaymentRecord> records_of(const std::string& order_no, int limit) = 0;
};

}  // namespace gomall::ports
