// Payments <-> their gomall.v1 messages, used by both ends of the payment service's rpc
// (PaymentService): attempts, refunds, the payment record, the outcomes of PaymentApi's calls and
// the provider's notifications. Money is cents and times unix millis on the wire.
#pragma once

#include "domain/payment.hpp"
#include "gomall/v1/payment.pb.h"
#include "ports/payment_gateway.hpp"
#include "services/payment_api.hpp"

namespace gomall::rpc {

void to_message(const domain::PaymentAttempt& attempt, v1::PaymentAttempt& out);
domain::PaymentAttempt from_message(const v1::PaymentAttempt& in);

void to_message(const domain::RefundEntry& refund, v1::RefundEntry& out);
domain::RefundEntry from_message(const v1::RefundEntry& in);

void to_message(const domain::PaymentRecord& record, v1::PaymentRecord& out);
domain::PaymentRecord from_message(const v1::PaymentRecord& in);

void to_message(const services::PaymentStarted& started, v1::PaymentStarted& out);
services::PaymentStarted from_message(const v1::PaymentStarted& in);

void to_message(const services::QueryOutcome& outcome, v1::QueryPaymentResponse& out);
services::QueryOutcome from_message(const v1::QueryPaymentResponse& in);

void to_message(const services::RefundOutcome& outcome, v1::RefundResponse& out);
services::RefundOutcome from_message(const v1::RefundResponse& in);

void to_message(const services::PaymentView& view, v1::PaymentView& out);
services::PaymentView from_message(const v1::PaymentView& in);

/// Headers and body byte for byte. Header names are kept as they are (the HTTP layer made them
/// lower case); of a name repeated on the wire, the first wins, as in the notify route.
void to_message(const ports::IncomingNotification& notification, v1::PaymentNotification& out);
ports::IncomingNotification from_message(const v1::PaymentNotification& in);

void to_message(const ports::NotificationAnswer& answer, v1::NotificationAnswer& out);
ports::NotificationAnswer from_message(const v1::NotificationAnswer& in);

}  // namespace gomall::rpc
