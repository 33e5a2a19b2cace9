// OrderClient and PaymentClient: OrderApi and PaymentApi as blocking calls to gomall.v1.OrderService
// and gomall.v1.PaymentService.
#include "rpc/order_client.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/unavailable.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/order_messages.hpp"
#include "rpc/order_stubs.hpp"
#include "rpc/payment_messages.hpp"
#include "rpc/pooled_call.hpp"

namespace gomall::rpc {
namespace {

constexpr std::string_view kService = "the order service";

/// A read changes nothing: after a transport failure it is tried once more, on another instance.
constexpr int kReadAttempts = 2;
/// A change is tried once: a lost answer may hide a change that was made.
constexpr int kWriteAttempts = 1;

/// One call with the client's deadline and secret, for `user_id` when given.
BlockingCall call_for(
    std::string_view peer_secret,
    std::chrono::milliseconds timeout,
    int attempts,
    std::optional<std::int64_t> user_id = {}
) {
    return BlockingCall{OutgoingCall{timeout, user_id, {}}, peer_secret, kService, attempts, {}};
}

BlockingCall call_for(const OrderClientSettings& settings, int attempts, std::optional<std::int64_t> user_id = {}) {
    return call_for(settings.peer_secret, settings.call_timeout, attempts, user_id);
}

BlockingCall call_for(const PaymentClientSettings& settings, int attempts, std::optional<std::int64_t> user_id = {}) {
    return call_for(settings.peer_secret, settings.call_timeout, attempts, user_id);
}

/// The domain value of a successful answer, or the answer's error.
template <class Message>
auto value_of(const Result<Message>& answer) -> Result<decltype(from_message(answer.value()))> {
    if (!answer.ok()) {
        return answer.error();
    }
    return from_message(answer.value());
}

/// For the calls whose interface has no Result: an unreachable service is a dependency that is
/// down (503 with its wait at the HTTP layer), anything else an infrastructure failure (500).
[[noreturn]] void throw_call_failure(const Error& error) {
    if (error.code == ErrorCode::kUnavailable) {
        throw DependencyUnavailable(error.message, error.retry_after);
    }
    throw std::runtime_error("order service call failed: " + error.message);
}

template <class Message>
const Message& or_throw(const Result<Message>& answer) {
    if (!answer.ok()) {
        throw_call_failure(answer.error());
    }
    return answer.value();
}

std::shared_ptr<void> order_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return std::make_shared<OrderStubs>(channel);
}

v1::OrderNumber order_number(const std::string& order_no) {
    v1::OrderNumber request;
    request.set_order_no(order_no);
    return request;
}

v1::PaymentOrderRequest payment_order(const std::string& order_no) {
    v1::PaymentOrderRequest request;
    request.set_order_no(order_no);
    return request;
}

v1::ListOrdersRequest listing(std::optional<domain::OrderStatus> status, int page, int page_size) {
    v1::ListOrdersRequest request;
    to_message(domain::OrderQuery{0, status, page, page_size}, request);
    return request;
}

/// What the provider is answered when the order service cannot be reached: the service's own
/// answer when it cannot handle a notification (a 5xx in WeChat Pay's APIv3 form), so the
/// provider sends it again later, when an instance may be back.
ports::NotificationAnswer try_again_later() {
    return ports::NotificationAnswer{503, "application/json", R"({"code":"FAIL","message":"temporarily unavailable"})"};
}

}  // namespace

OrderClient::OrderClient(InstancePool& pool, OrderClientSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

std::shared_ptr<void> OrderClient::make_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return order_stubs(channel);
}

Result<domain::Order> OrderClient::create(std::int64_t user_id, std::int64_t product_id, int quantity) {
    v1::CreateOrderRequest request;
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->CreateOrder(&context, request, &response);
        }
    ));
}

Result<domain::Order> OrderClient::checkout(
    std::int64_t user_id, const std::optional<std::vector<std::int64_t>>& product_ids
) {
    v1::CheckoutRequest request;
    to_message(product_ids, request);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->Checkout(&context, request, &response);
        }
    ));
}

domain::Page<domain::Order> OrderClient::list(
    std::int64_t user_id, std::optional<domain::OrderStatus> status, int page, int page_size
) {
    const auto request = listing(status, page, page_size);
    const auto answer = call_blocking<OrderStubs, v1::ListOrdersResponse>(
        pool_,
        call_for(settings_, kReadAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->ListOrders(&context, request, &response);
        }
    );
    return from_message(or_throw(answer));
}

domain::Page<domain::Order> OrderClient::list_all(std::optional<domain::OrderStatus> status, int page, int page_size) {
    const auto request = listing(status, page, page_size);
    const auto answer = call_blocking<OrderStubs, v1::ListOrdersResponse>(
        pool_,
        call_for(settings_, kReadAttempts),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->ListAllOrders(&context, request, &response);
        }
    );
    return from_message(or_throw(answer));
}

Result<domain::Order> OrderClient::get(std::int64_t user_id, const std::string& order_no) {
    const auto request = order_number(order_no);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kReadAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->GetOrder(&context, request, &response);
        }
    ));
}

Result<domain::Order> OrderClient::get_any(const std::string& order_no) {
    const auto request = order_number(order_no);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kReadAttempts),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->GetAnyOrder(&context, request, &response);
        }
    ));
}

Result<domain::Order> OrderClient::pay(std::int64_t user_id, const std::string& order_no) {
    const auto request = order_number(order_no);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->PayOrder(&context, request, &response);
        }
    ));
}

Result<domain::Order> OrderClient::cancel(std::int64_t user_id, const std::string& order_no) {
    const auto request = order_number(order_no);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.orders->CancelOrder(&context, request, &response);
        }
    ));
}

PaymentClient::PaymentClient(InstancePool& pool, PaymentClientSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

std::shared_ptr<void> PaymentClient::make_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return order_stubs(channel);
}

bool PaymentClient::configured() const {
    return settings_.configured;
}

Result<services::PaymentStarted> PaymentClient::start(
    std::int64_t user_id, const std::string& order_no, const std::string& client_ip
) {
    v1::StartPaymentRequest request;
    request.set_order_no(order_no);
    request.set_client_ip(client_ip);
    return value_of(call_blocking<OrderStubs, v1::PaymentStarted>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.payments->StartPayment(&context, request, &response);
        }
    ));
}

Result<services::QueryOutcome> PaymentClient::query(std::int64_t user_id, const std::string& order_no) {
    const auto request = payment_order(order_no);
    // Asks the provider and may settle a payment and its refunds: a change, tried once.
    return value_of(call_blocking<OrderStubs, v1::QueryPaymentResponse>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.payments->QueryPayment(&context, request, &response);
        }
    ));
}

Result<domain::Order> PaymentClient::close(std::int64_t user_id, const std::string& order_no) {
    const auto request = payment_order(order_no);
    return value_of(call_blocking<OrderStubs, v1::Order>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.payments->ClosePayment(&context, request, &response);
        }
    ));
}

Result<services::RefundOutcome> PaymentClient::refund(std::int64_t user_id, const std::string& order_no, Cents amount) {
    v1::RefundRequest request;
    request.set_order_no(order_no);
    request.set_amount_cents(amount);
    return value_of(call_blocking<OrderStubs, v1::RefundResponse>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.payments->Refund(&context, request, &response);
        }
    ));
}

Result<services::PaymentView> PaymentClient::view(std::int64_t user_id, const std::string& order_no) {
    const auto request = payment_order(order_no);
    if (user_id == 0) {
        // PaymentApi's "any order" (admin) is its own call: the service never takes a missing
        // shopper to mean every shopper.
        return value_of(call_blocking<OrderStubs, v1::PaymentView>(
            pool_,
            call_for(settings_, kReadAttempts),
            [&](OrderStubs& stubs, auto& context, auto& response) {
                return stubs.payments->ViewAnyPayment(&context, request, &response);
            }
        ));
    }
    return value_of(call_blocking<OrderStubs, v1::PaymentView>(
        pool_,
        call_for(settings_, kReadAttempts, user_id),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.payments->ViewPayment(&context, request, &response);
        }
    ));
}

ports::NotificationAnswer PaymentClient::handle_notification(const ports::IncomingNotification& notification) {
    v1::PaymentNotification request;
    to_message(notification, request);
    // Tried once: the provider repeats an unanswered notification on its own schedule.
    const auto answer = call_blocking<OrderStubs, v1::NotificationAnswer>(
        pool_,
        call_for(settings_, kWriteAttempts),
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.payments->HandleNotification(&context, request, &response);
        }
    );
    if (!answer.ok() && answer.error().code == ErrorCode::kUnavailable) {
        spdlog::warn("payment notification not passed on: {}; the provider will retry", answer.error().message);
        return try_again_later();
    }
    return from_message(or_throw(answer));
}

}  // namespace gomall::rpc
