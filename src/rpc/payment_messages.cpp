// Payments <-> messages.
#include "rpc/payment_messages.hpp"

#include <cstddef>

#include "rpc/order_messages.hpp"
#include "rpc/unix_millis.hpp"

namespace gomall::rpc {
namespace {

v1::AttemptStatus to_message(domain::AttemptStatus status) {
    switch (status) {
        case domain::AttemptStatus::kCreating:
            return v1::ATTEMPT_STATUS_CREATING;
        case domain::AttemptStatus::kOpen:
            return v1::ATTEMPT_STATUS_OPEN;
        case domain::AttemptStatus::kPaid:
            return v1::ATTEMPT_STATUS_PAID;
        case domain::AttemptStatus::kClosed:
            return v1::ATTEMPT_STATUS_CLOSED;
        case domain::AttemptStatus::kFailed:
            break;
    }
    return v1::ATTEMPT_STATUS_FAILED;
}

/// An unknown status (a newer peer's) reads as failed: never as open or paid, which would offer a
/// QR code or claim money that this side cannot vouch for.
domain::AttemptStatus from_message(v1::AttemptStatus status) {
    switch (status) {
        case v1::ATTEMPT_STATUS_CREATING:
            return domain::AttemptStatus::kCreating;
        case v1::ATTEMPT_STATUS_OPEN:
            return domain::AttemptStatus::kOpen;
        case v1::ATTEMPT_STATUS_PAID:
            return domain::AttemptStatus::kPaid;
        case v1::ATTEMPT_STATUS_CLOSED:
            return domain::AttemptStatus::kClosed;
        default:
            return domain::AttemptStatus::kFailed;
    }
}

v1::RefundStatus to_message(domain::RefundStatus status) {
    switch (status) {
        case domain::RefundStatus::kSuccess:
            return v1::REFUND_STATUS_SUCCESS;
        case domain::RefundStatus::kClosed:
            return v1::REFUND_STATUS_CLOSED;
        case domain::RefundStatus::kAbnormal:
            return v1::REFUND_STATUS_ABNORMAL;
        case domain::RefundStatus::kProcessing:
            break;
    }
    return v1::REFUND_STATUS_PROCESSING;
}

/// An unknown status (a newer peer's) reads as still processing: not settled, as far as this side
/// can tell.
domain::RefundStatus from_message(v1::RefundStatus status) {
    switch (status) {
        case v1::REFUND_STATUS_SUCCESS:
            return domain::RefundStatus::kSuccess;
        case v1::REFUND_STATUS_CLOSED:
            return domain::RefundStatus::kClosed;
        case v1::REFUND_STATUS_ABNORMAL:
            return domain::RefundStatus::kAbnormal;
        default:
            return domain::RefundStatus::kProcessing;
    }
}

v1::TradeState to_message(ports::TradeState state) {
    switch (state) {
        case ports::TradeState::kNotPay:
            return v1::TRADE_STATE_NOTPAY;
        case ports::TradeState::kSuccess:
            return v1::TRADE_STATE_SUCCESS;
        case ports::TradeState::kClosed:
            return v1::TRADE_STATE_CLOSED;
        case ports::TradeState::kRefund:
            return v1::TRADE_STATE_REFUND;
        case ports::TradeState::kRevoked:
            return v1::TRADE_STATE_REVOKED;
        case ports::TradeState::kUserPaying:
            return v1::TRADE_STATE_USERPAYING;
        case ports::TradeState::kPayError:
            return v1::TRADE_STATE_PAYERROR;
        case ports::TradeState::kUnknown:
            break;
    }
    return v1::TRADE_STATE_UNKNOWN;
}

ports::TradeState from_message(v1::TradeState state) {
    switch (state) {
        case v1::TRADE_STATE_NOTPAY:
            return ports::TradeState::kNotPay;
        case v1::TRADE_STATE_SUCCESS:
            return ports::TradeState::kSuccess;
        case v1::TRADE_STATE_CLOSED:
            return ports::TradeState::kClosed;
        case v1::TRADE_STATE_REFUND:
            return ports::TradeState::kRefund;
        case v1::TRADE_STATE_REVOKED:
            return ports::TradeState::kRevoked;
        case v1::TRADE_STATE_USERPAYING:
            return ports::TradeState::kUserPaying;
        case v1::TRADE_STATE_PAYERROR:
            return ports::TradeState::kPayError;
        default:
            return ports::TradeState::kUnknown;
    }
}

}  // namespace

void to_message(const domain::PaymentAttempt& attempt, v1::PaymentAttempt& out) {
    out.set_id(attempt.id);
    out.set_order_no(attempt.order_no);
    out.set_attempt_no(attempt.attempt_no);
    out.set_out_trade_no(attempt.out_trade_no);
    out.set_provider(attempt.provider);
    out.set_amount_cents(attempt.amount);
    out.set_status(to_message(attempt.status));
    out.set_code_url(attempt.code_url);
    out.set_transaction_id(attempt.transaction_id);
    out.set_expires_at_ms(to_unix_millis(attempt.expires_at));
    if (attempt.paid_at) {
        out.set_paid_at_ms(to_unix_millis(*attempt.paid_at));
    }
    out.set_user_id(attempt.user_id);
    out.set_prepay_id(attempt.prepay_id);
    out.set_created_at_ms(to_unix_millis(attempt.created_at));
    out.set_updated_at_ms(to_unix_millis(attempt.updated_at));
}

domain::PaymentAttempt from_message(const v1::PaymentAttempt& in) {
    domain::PaymentAttempt attempt;
    attempt.id = in.id();
    attempt.order_no = in.order_no();
    attempt.user_id = in.user_id();
    attempt.attempt_no = in.attempt_no();
    attempt.out_trade_no = in.out_trade_no();
    attempt.provider = in.provider();
    attempt.amount = in.amount_cents();
    attempt.status = from_message(in.status());
    attempt.code_url = in.code_url();
    attempt.prepay_id = in.prepay_id();
    attempt.transaction_id = in.transaction_id();
    attempt.expires_at = from_unix_millis(in.expires_at_ms());
    if (in.has_paid_at_ms()) {
        attempt.paid_at = from_unix_millis(in.paid_at_ms());
    }
    attempt.created_at = from_unix_millis(in.created_at_ms());
    attempt.updated_at = from_unix_millis(in.updated_at_ms());
    return attempt;
}

void to_message(const domain::RefundEntry& refund, v1::RefundEntry& out) {
    out.set_id(refund.id);
    out.set_out_refund_no(refund.out_refund_no);
    out.set_order_no(refund.order_no);
    out.set_out_trade_no(refund.out_trade_no);
    out.set_provider(refund.provider);
    out.set_amount_cents(refund.amount);
    out.set_status(to_message(refund.status));
    out.set_refund_id(refund.refund_id);
    out.set_automatic(refund.automatic);
    out.set_created_at_ms(to_unix_millis(refund.created_at));
    out.set_updated_at_ms(to_unix_millis(refund.updated_at));
}

domain::RefundEntry from_message(const v1::RefundEntry& in) {
    domain::RefundEntry refund;
    refund.id = in.id();
    refund.out_refund_no = in.out_refund_no();
    refund.order_no = in.order_no();
    refund.out_trade_no = in.out_trade_no();
    refund.provider = in.provider();
    refund.amount = in.amount_cents();
    refund.status = from_message(in.status());
    refund.refund_id = in.refund_id();
    refund.automatic = in.automatic();
    refund.created_at = from_unix_millis(in.created_at_ms());
    refund.updated_at = from_unix_millis(in.updated_at_ms());
    return refund;
}

void to_message(const domain::PaymentRecord& record, v1::PaymentRecord& out) {
    out.set_id(record.id);
    out.set_order_no(record.order_no);
    out.set_kind(record.kind);
    out.set_provider(record.provider);
    out.set_out_trade_no(record.out_trade_no);
    out.set_transaction_id(record.transaction_id);
    out.set_out_refund_no(record.out_refund_no);
    out.set_refund_id(record.refund_id);
    out.set_amount_cents(record.amount);
    out.set_status(record.status);
    out.set_detail(record.detail);
    out.set_created_at_ms(to_unix_millis(record.created_at));
}

domain::PaymentRecord from_message(const v1::PaymentRecord& in) {
    domain::PaymentRecord record;
    record.id = in.id();
    record.order_no = in.order_no();
    record.kind = in.kind();
    record.provider = in.provider();
    record.out_trade_no = in.out_trade_no();
    record.transaction_id = in.transaction_id();
    record.out_refund_no = in.out_refund_no();
    record.refund_id = in.refund_id();
    record.amount = in.amount_cents();
    record.status = in.status();
    record.detail = in.detail();
    record.created_at = from_unix_millis(in.created_at_ms());
    return record;
}

void to_message(const services::PaymentStarted& started, v1::PaymentStarted& out) {
    to_message(started.order, *out.mutable_order());
    to_message(started.attempt, *out.mutable_attempt());
    out.set_scan_url(started.scan_url);
}

services::PaymentStarted from_message(const v1::PaymentStarted& in) {
    return services::PaymentStarted{from_message(in.order()), from_message(in.attempt()), in.scan_url()};
}

void to_message(const services::QueryOutcome& outcome, v1::QueryPaymentResponse& out) {
    to_message(outcome.order, *out.mutable_order());
    const ports::Transaction& tx = outcome.transaction;
    out.set_out_trade_no(tx.out_trade_no);
    out.set_transaction_id(tx.transaction_id);
    out.set_trade_state(tx.state_text);
    out.set_total_cents(tx.total);
    out.set_payer_total_cents(tx.payer_total);
    if (tx.success_time) {
        out.set_success_time_ms(to_unix_millis(*tx.success_time));
    }
    out.set_state(to_message(tx.state));
    out.set_app_id(tx.app_id);
    out.set_mch_id(tx.mch_id);
    out.set_currency(tx.currency);
}

services::QueryOutcome from_message(const v1::QueryPaymentResponse& in) {
    services::QueryOutcome outcome;
    outcome.order = from_message(in.order());
    ports::Transaction& tx = outcome.transaction;
    tx.app_id = in.app_id();
    tx.mch_id = in.mch_id();
    tx.out_trade_no = in.out_trade_no();
    tx.transaction_id = in.transaction_id();
    tx.state = from_message(in.state());
    tx.state_text = in.trade_state();
    tx.total = in.total_cents();
    tx.payer_total = in.payer_total_cents();
    tx.currency = in.currency();
    if (in.has_success_time_ms()) {
        tx.success_time = from_unix_millis(in.success_time_ms());
    }
    return outcome;
}

void to_message(const services::RefundOutcome& outcome, v1::RefundResponse& out) {
    to_message(outcome.order, *out.mutable_order());
    to_message(outcome.refund, *out.mutable_refund());
    out.set_refunded_cents(outcome.refunded);
    out.set_refundable_cents(outcome.refundable);
}

services::RefundOutcome from_message(const v1::RefundResponse& in) {
    return services::RefundOutcome{
        from_message(in.order()), from_message(in.refund()), in.refunded_cents(), in.refundable_cents()};
}

void to_message(const services::PaymentView& view, v1::PaymentView& out) {
    to_message(view.order, *out.mutable_order());
    if (view.latest) {
        to_message(*view.latest, *out.mutable_latest());
    }
    out.set_trade_state(view.trade_state);
    out.set_paid_cents(view.paid);
    out.set_refunded_cents(view.refunded);
    out.set_refundable_cents(view.refundable);
    out.set_scan_url(view.scan_url);
    out.mutable_refunds()->Reserve(static_cast<int>(view.refunds.size()));
    for (const auto& refund : view.refunds) {
        to_message(refund, *out.add_refunds());
    }
    out.mutable_records()->Reserve(static_cast<int>(view.records.size()));
    for (const auto& record : view.records) {
        to_message(record, *out.add_records());
    }
}

services::PaymentView from_message(const v1::PaymentView& in) {
    services::PaymentView view;
    view.order = from_message(in.order());
    if (in.has_latest()) {
        view.latest = from_message(in.latest());
    }
    view.trade_state = in.trade_state();
    view.paid = in.paid_cents();
    view.refunded = in.refunded_cents();
    view.refundable = in.refundable_cents();
    view.scan_url = in.scan_url();
    view.refunds.reserve(static_cast<std::size_t>(in.refunds_size()));
    for (const auto& refund : in.refunds()) {
        view.refunds.push_back(from_message(refund));
    }
    view.records.reserve(static_cast<std::size_t>(in.records_size()));
    for (const auto& record : in.records()) {
        view.records.push_back(from_message(record));
    }
    return view;
}

void to_message(const ports::IncomingNotification& notification, v1::PaymentNotification& out) {
    out.mutable_headers()->Reserve(static_cast<int>(notification.headers.size()));
    for (const auto& [name, value] : notification.headers) {
        auto& header = *out.add_headers();
        header.set_name(name);
        header.set_value(value);
    }
    out.set_body(notification.body);
}

ports::IncomingNotification from_message(const v1::PaymentNotification& in) {
    ports::IncomingNotification notification;
    for (const auto& header : in.headers()) {
        notification.headers.emplace(header.name(), header.value());
    }
    notification.body = in.body();
    return notification;
}

void to_message(const ports::NotificationAnswer& answer, v1::NotificationAnswer& out) {
    out.set_status(answer.status);
    out.set_content_type(answer.content_type);
    out.set_body(answer.body);
}

ports::NotificationAnswer from_message(const v1::NotificationAnswer& in) {
    return ports::NotificationAnswer{in.status(), in.content_type(), in.body()};
}

}  // namespace gomall::rpc
