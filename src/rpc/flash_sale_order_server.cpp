// gomall.v1.FlashSaleOrderIntake over FlashSaleOrderIntake.
#include "rpc/flash_sale_order_server.hpp"

#include <utility>
#include <vector>

#include "gomall/v1/order.grpc.pb.h"
#include "rpc/call_metadata.hpp"
#include "rpc/order_messages.hpp"
#include "rpc/server_calls.hpp"

namespace gomall::rpc {

class FlashSaleOrderServer::Service final : public v1::FlashSaleOrderIntake::CallbackService {
public:
    Service(ports::FlashSaleOrderIntake& intake, FlashSaleOrderServerSettings settings)
        : intake_(intake), peer_(std::move(settings.peer_secret)), blocking_(std::move(settings.blocking)) {}

    grpc::ServerUnaryReactor* Accept(
        grpc::CallbackServerContext* call, const v1::FlashSaleOrders* request, v1::AcceptedOrders* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            std::vector<domain::Order> orders;
            orders.reserve(static_cast<std::size_t>(request->orders_size()));
            for (const auto& order : request->orders()) {
                orders.push_back(from_message(order));
            }
            return answer(intake_.accept(orders), [response](int created) { response->set_created(created); });
        });
    }

private:
    ports::FlashSaleOrderIntake& intake_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

FlashSaleOrderServer::FlashSaleOrderServer(ports::FlashSaleOrderIntake& intake, FlashSaleOrderServerSettings settings)
    : service_(std::make_unique<Service>(intake, std::move(settings))) {}

FlashSaleOrderServer::~FlashSaleOrderServer() = default;

void FlashSaleOrderServer::register_with(grpc::ServerBuilder& builder) {
    builder.RegisterService(service_.get());
}

}  // namespace gomall::rpc
