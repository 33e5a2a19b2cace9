// FlashSaleOrderClient: FlashSaleOrderIntake as blocking calls to gomall.v1.FlashSaleOrderIntake.
#include "rpc/flash_sale_order_client.hpp"

#include <utility>

#include "rpc/order_messages.hpp"
#include "rpc/order_stubs.hpp"
#include "rpc/pooled_call.hpp"

namespace gomall::rpc {
namespace {

constexpr std::string_view kService = "the order service";
constexpr int kIdempotentAttempts = 2;

}  // namespace

FlashSaleOrderClient::FlashSaleOrderClient(InstancePool& pool, FlashSaleOrderClientSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

Result<int> FlashSaleOrderClient::accept(const std::vector<domain::Order>& orders) {
    v1::FlashSaleOrders message;
    for (const auto& order : orders) {
        to_message(order, *message.add_orders());
    }
    const auto answer = call_blocking<OrderStubs, v1::AcceptedOrders>(
        pool_,
        BlockingCall{
            OutgoingCall{settings_.call_timeout, std::nullopt, {}},
            settings_.peer_secret,
            kService,
            kIdempotentAttempts,
            {}},
        [&](OrderStubs& stubs, auto& context, auto& response) {
            return stubs.flash_sale_orders->Accept(&context, message, &response);
        }
    );
    if (!answer.ok()) {
        return answer.error();
    }
    return static_cast<int>(answer->created());
}

}  // namespace gomall::rpc
