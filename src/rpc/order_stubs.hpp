// The stubs the order service's callers keep per instance (InstancePool::Target::stubs): one set
// for every client of the role, so OrderClient, PaymentClient and FlashSaleOrderClient share one
// pool (one channel, one breaker per instance).
#pragma once

#include <memory>

#include <grpcpp/channel.h>

#include "gomall/v1/order.grpc.pb.h"
#include "gomall/v1/payment.grpc.pb.h"

namespace gomall::rpc {

struct OrderStubs {
    explicit OrderStubs(const std::shared_ptr<grpc::Channel>& channel)
        : orders(v1::OrderService::NewStub(channel)),
          payments(v1::PaymentService::NewStub(channel)),
          flash_sale_orders(v1::FlashSaleOrderIntake::NewStub(channel)) {}
    const std::unique_ptr<v1::OrderService::Stub> orders;
    const std::unique_ptr<v1::PaymentService::Stub> payments;
    const std::unique_ptr<v1::FlashSaleOrderIntake::Stub> flash_sale_orders;
};

}  // namespace gomall::rpc
