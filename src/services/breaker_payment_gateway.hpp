// The payment gateway behind a circuit breaker: while WeChat Pay does not answer, calls are
// refused at once with "unavailable" (and how long to wait) instead of each waiting for the HTTP
// timeout. The payment service sees the same port and the same kUnavailable it already handles.
#pragma once

#include "ports/payment_gateway.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::services {

/// A failure is kUnavailable (no answer, a timeout, a 5xx, an answer that does not verify); any
/// answer of the provider's own, refusals included, shows it is reachable. Notifications are
/// checked locally and pass straight through. `inner` and `breaker` must outlive this object.
class BreakerPaymentGateway final : public ports::PaymentGateway {
public:
    BreakerPaymentGateway(ports::PaymentGateway& inner, CircuitBreaker& breaker) : inner_(inner), breaker_(breaker) {}

    std::string provider() const override { return inner_.provider(); }
    std::optional<std::chrono::seconds> unavailable_for() const override { return breaker_.refuse_early(); }

    ports::GatewayResult<ports::NativePayment> create_native(const ports::NativePaymentRequest& request) override;
    ports::GatewayResult<ports::Transaction> query(const std::string& out_trade_no) override;
    ports::GatewayResult<std::monostate> close(const std::string& out_trade_no) override;
    ports::GatewayResult<ports::Refund> refund(const ports::RefundRequest& request) override;
    ports::GatewayResult<ports::Refund> query_refund(const std::string& out_refund_no) override;

    Result<ports::VerifiedNotification> verify_notification(const ports::IncomingNotification& notification) override {
        return inner_.verify_notification(notification);
    }
    ports::NotificationAnswer answer_notification(bool accepted, const std::string& reason) const override {
        return inner_.answer_notification(accepted, reason);
    }

private:
    template <class T, class Call>
    ports::GatewayResult<T> guarded(Call&& call);

    ports::PaymentGateway& inner_;
    CircuitBreaker& breaker_;
};

}  // namespace gomall::services
