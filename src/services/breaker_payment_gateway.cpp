// Each network call of the payment port through the breaker; a refused call is answered
// kUnavailable with the breaker's retry time, as if the provider had not answered.
#include "services/breaker_payment_gateway.hpp"

#include <utility>

namespace gomall::services {

template <class T, class Call>
ports::GatewayResult<T> BreakerPaymentGateway::guarded(Call&& call) {
    auto permit = breaker_.try_call();
    if (!permit) {
        ports::GatewayError refused;
        refused.failure = ports::GatewayFailure::kUnavailable;
        refused.code = "circuit_open";
        refused.message = "not called: the payment provider failed repeatedly and its circuit breaker is open";
        refused.retry_after = breaker_.refusing().value_or(std::chrono::seconds(1));
        return refused;
    }
    ports::GatewayResult<T> result = std::forward<Call>(call)();
    const auto* error = std::get_if<ports::GatewayError>(&result);
    if (error != nullptr && error->failure == ports::GatewayFailure::kUnavailable) {
        permit->failed();
    } else {
        permit->succeeded();
    }
    return result;
}

ports::GatewayResult<ports::NativePayment> BreakerPaymentGateway::create_native(
    const ports::NativePaymentRequest& request
) {
    return guarded<ports::NativePayment>([&] { return inner_.create_native(request); });
}

ports::GatewayResult<ports::Transaction> BreakerPaymentGateway::query(const std::string& out_trade_no) {
    return guarded<ports::Transaction>([&] { return inner_.query(out_trade_no); });
}

ports::GatewayResult<std::monostate> BreakerPaymentGateway::close(const std::string& out_trade_no) {
    return guarded<std::monostate>([&] { return inner_.close(out_trade_no); });
}

ports::GatewayResult<ports::Refund> BreakerPaymentGateway::refund(const ports::RefundRequest& request) {
    return guarded<ports::Refund>([&] { return inner_.refund(request); });
}

ports::GatewayResult<ports::Refund> BreakerPaymentGateway::query_refund(const std::string& out_refund_no) {
    return guarded<ports::Refund>([&] { return inner_.query_refund(out_refund_no); });
}

}  // namespace gomall::services
