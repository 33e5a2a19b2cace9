// gomall.v1.StockService over StockReservations.
#include "rpc/stock_server.hpp"

#include <utility>

#include "gomall/v1/catalog.grpc.pb.h"
#include "rpc/call_metadata.hpp"
#include "rpc/server_calls.hpp"

namespace gomall::rpc {

class StockServer::Service final : public v1::StockService::CallbackService {
public:
    Service(ports::StockReservations& stock, StockServerSettings settings)
        : stock_(stock), peer_(std::move(settings.peer_secret)), blocking_(std::move(settings.blocking)) {}

    grpc::ServerUnaryReactor* ReserveStock(
        grpc::CallbackServerContext* call, const v1::ReserveStockRequest* request, v1::ReservedStock* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            const auto caller = caller_of(*call);
            if (!caller.user_id) {
                return to_grpc_status(missing_user());
            }
            ports::StockRequest wanted;
            wanted.order_no = request->order_no();
            wanted.user_id = *caller.user_id;
            wanted.from_cart = request->from_cart();
            for (const auto& line : request->lines()) {
                wanted.lines.push_back(domain::OrderLineRequest{line.product_id(), line.quantity()});
            }
            return answer(stock_.reserve(wanted), [response](const std::vector<domain::OrderItem>& taken) {
                for (const auto& item : taken) {
                    auto& out = *response->add_lines();
                    out.set_product_id(item.product_id);
                    out.set_product_name(item.product_name);
                    out.set_product_image(item.product_image);
                    out.set_quantity(item.quantity);
                    out.set_unit_price_cents(item.unit_price);
                }
            });
        });
    }

    grpc::ServerUnaryReactor* ReleaseStock(
        grpc::CallbackServerContext* call, const v1::ReleaseStockRequest* request, v1::Empty* /*response*/
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request] {
            return answer(stock_.release(request->order_no()), [](const auto& /*given_back*/) {});
        });
    }

private:
    ports::StockReservations& stock_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

StockServer::StockServer(ports::StockReservations& stock, StockServerSettings settings)
    : service_(std::make_unique<Service>(stock, std::move(settings))) {}

StockServer::~StockServer() = default;

void StockServer::register_with(grpc::ServerBuilder& builder) {
    builder.RegisterService(service_.get());
}

}  // namespace gomall::rpc
