// The order side served over gRPC: gomall.v1.OrderService over the in-process OrderApi and
// gomall.v1.PaymentService over the in-process PaymentApi. Every handler reads or writes the
// database (and the payment provider), so all run on the blocking pool.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <grpcpp/server_builder.h>

#include "services/order_api.hpp"
#include "services/payment_api.hpp"

namespace gomall::rpc {

struct OrderServerSettings {
    /// The shared secret every caller must present (see call_metadata.hpp). Not empty.
    std::string peer_secret;
    /// Runs every handler (database, payment provider).
    boost::asio::any_io_executor blocking;
};

/// Register on a ServerBuilder, build the server, and keep this object (and what it was given)
/// alive until the server has shut down. The shopper of a call is the one its metadata names;
/// the admin calls (every order, any order, any payment page) name none and are not checked
/// here: the HTTP gateway lets only admins reach them.
class OrderServer {
public:
    OrderServer(services::OrderApi& orders, services::PaymentApi& payments, OrderServerSettings settings);
    ~OrderServer();
    OrderServer(const OrderServer&) = delete;
    OrderServer& operator=(const OrderServer&) = delete;

    /// Registers OrderService and PaymentService.
    void register_with(grpc::ServerBuilder& builder);

private:
    class Orders;
    class Payments;
    std::unique_ptr<Orders> orders_;
    std::unique_ptr<Payments> payments_;
};

}  // namespace gomall::rpc
