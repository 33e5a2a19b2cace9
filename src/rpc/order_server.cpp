// gomall.v1.OrderService over OrderApi and gomall.v1.PaymentService over PaymentApi.
#include "rpc/order_server.hpp"

#include <utility>

#include "gomall/v1/order.grpc.pb.h"
#include "gomall/v1/payment.grpc.pb.h"
#include "rpc/call_metadata.hpp"
#include "rpc/order_messages.hpp"
#include "rpc/payment_messages.hpp"
#include "rpc/server_calls.hpp"

namespace gomall::rpc {
namespace {

/// An order and its payment are always the signed-in shopper's, named in the metadata and never
/// in the message, so a caller cannot reach another shopper's order by a field it fills in.
template <class Handler>
grpc::Status for_user(const grpc::CallbackServerContext& call, Handler handler) {
    const auto caller = caller_of(call);
    if (!caller.user_id) {
        return to_grpc_status(missing_user());
    }
    return handler(*caller.user_id);
}

/// The response filled from a successful result's value (for the many calls that answer a message
/// of the value's own type).
template <class Response>
auto fill(Response* response) {
    return [response](const auto& value) {
        to_message(value, *response);
    };
}

}  // namespace

class OrderServer::Orders final : public v1::OrderService::CallbackService {
public:
    Orders(services::OrderApi& orders, const OrderServerSettings& settings)
        : orders_(orders), peer_(settings.peer_secret), blocking_(settings.blocking) {}

    grpc::ServerUnaryReactor* CreateOrder(
        grpc::CallbackServerContext* call, const v1::CreateOrderRequest* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(orders_.create(user_id, request->product_id(), request->quantity()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* Checkout(
        grpc::CallbackServerContext* call, const v1::CheckoutRequest* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(orders_.checkout(user_id, from_message(*request)), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* ListOrders(
        grpc::CallbackServerContext* call, const v1::ListOrdersRequest* request, v1::ListOrdersResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                const auto query = from_message(*request);
                to_message(orders_.list(user_id, query.status, query.page, query.page_size), *response);
                return grpc::Status::OK;
            });
        });
    }

    grpc::ServerUnaryReactor* ListAllOrders(
        grpc::CallbackServerContext* call, const v1::ListOrdersRequest* request, v1::ListOrdersResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            const auto query = from_message(*request);
            to_message(orders_.list_all(query.status, query.page, query.page_size), *response);
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* GetOrder(
        grpc::CallbackServerContext* call, const v1::OrderNumber* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(orders_.get(user_id, request->order_no()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* GetAnyOrder(
        grpc::CallbackServerContext* call, const v1::OrderNumber* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            return answer(orders_.get_any(request->order_no()), fill(response));
        });
    }

    grpc::ServerUnaryReactor* PayOrder(
        grpc::CallbackServerContext* call, const v1::OrderNumber* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(orders_.pay(user_id, request->order_no()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* CancelOrder(
        grpc::CallbackServerContext* call, const v1::OrderNumber* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(orders_.cancel(user_id, request->order_no()), fill(response));
            });
        });
    }

private:
    services::OrderApi& orders_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

class OrderServer::Payments final : public v1::PaymentService::CallbackService {
public:
    Payments(services::PaymentApi& payments, OrderServerSettings settings)
        : payments_(payments), peer_(std::move(settings.peer_secret)), blocking_(std::move(settings.blocking)) {}

    grpc::ServerUnaryReactor* StartPayment(
        grpc::CallbackServerContext* call, const v1::StartPaymentRequest* request, v1::PaymentStarted* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(payments_.start(user_id, request->order_no(), request->client_ip()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* QueryPayment(
        grpc::CallbackServerContext* call, const v1::PaymentOrderRequest* request, v1::QueryPaymentResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(payments_.query(user_id, request->order_no()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* ClosePayment(
        grpc::CallbackServerContext* call, const v1::PaymentOrderRequest* request, v1::Order* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(payments_.close(user_id, request->order_no()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* Refund(
        grpc::CallbackServerContext* call, const v1::RefundRequest* request, v1::RefundResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(payments_.refund(user_id, request->order_no(), request->amount_cents()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* ViewPayment(
        grpc::CallbackServerContext* call, const v1::PaymentOrderRequest* request, v1::PaymentView* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(payments_.view(user_id, request->order_no()), fill(response));
            });
        });
    }

    grpc::ServerUnaryReactor* ViewAnyPayment(
        grpc::CallbackServerContext* call, const v1::PaymentOrderRequest* request, v1::PaymentView* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            // PaymentApi's "any order": user 0, which a shopper's call can never name (caller_of
            // accepts only positive ids), so only this admin call reaches it.
            return answer(payments_.view(0, request->order_no()), fill(response));
        });
    }

    grpc::ServerUnaryReactor* HandleNotification(
        grpc::CallbackServerContext* call, const v1::PaymentNotification* request, v1::NotificationAnswer* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            to_message(payments_.handle_notification(from_message(*request)), *response);
            return grpc::Status::OK;
        });
    }

private:
    services::PaymentApi& payments_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

OrderServer::OrderServer(services::OrderApi& orders, services::PaymentApi& payments, OrderServerSettings settings)
    : orders_(std::make_unique<Orders>(orders, settings)),
      payments_(std::make_unique<Payments>(payments, std::move(settings))) {}

OrderServer::~OrderServer() = default;

void OrderServer::register_with(grpc::ServerBuilder& builder) {
    builder.RegisterService(orders_.get());
    builder.RegisterService(payments_.get());
}

}  // namespace gomall::rpc
