// The orders and payments of a remote order service: services::OrderApi and services::PaymentApi
// over gRPC, so the HTTP handlers cannot tell the difference.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "rpc/instance_pool.hpp"
#include "services/order_api.hpp"
#include "services/payment_api.hpp"

namespace gomall::rpc {

struct OrderClientSettings {
    /// The shared secret the service checks (see call_metadata.hpp).
    std::string peer_secret;
    /// Deadline of every call.
    std::chrono::milliseconds call_timeout{3000};
};

/// Thread-safe. Every call is a blocking gRPC call with the call deadline: call from the blocking
/// pool, as the in-process OrderService. A business error keeps its code, field and message; a
/// call that reached no answer is kUnavailable with a retry-after. The calls without a Result
/// (list, list_all) throw instead: DependencyUnavailable for kUnavailable (503 + Retry-After at the
/// HTTP layer), std::runtime_error otherwise. Reads are tried on a second instance after a
/// transport failure; changes are not (a lost answer may hide an order that was placed).
class OrderClient final : public services::OrderApi {
public:
    /// `pool` (built with make_stubs, shareable with PaymentClient) must outlive the client.
    OrderClient(InstancePool& pool, OrderClientSettings settings);
    /// The stubs an InstancePool keeps per instance for the order side's clients (OrderStubs).
    static std::shared_ptr<void> make_stubs(const std::shared_ptr<grpc::Channel>& channel);

    Result<domain::Order> create(std::int64_t user_id, std::int64_t product_id, int quantity) override;
    Result<domain::Order> checkout(std::int64_t user_id, const std::optional<std::vector<std::int64_t>>& product_ids)
        override;
    domain::Page<domain::Order> list(
        std::int64_t user_id, std::optional<domain::OrderStatus> status, int page, int page_size
    ) override;
    /// Admin; the caller (the HTTP layer) checked the role.
    domain::Page<domain::Order> list_all(std::optional<domain::OrderStatus> status, int page, int page_size) override;
    Result<domain::Order> get(std::int64_t user_id, const std::string& order_no) override;
    /// Admin; the caller (the HTTP layer) checked the role.
    Result<domain::Order> get_any(const std::string& order_no) override;
    Result<domain::Order> pay(std::int64_t user_id, const std::string& order_no) override;
    Result<domain::Order> cancel(std::int64_t user_id, const std::string& order_no) override;

private:
    InstancePool& pool_;
    const OrderClientSettings settings_;
};

struct PaymentClientSettings {
    /// As OrderClientSettings's.
    std::string peer_secret;
    std::chrono::milliseconds call_timeout{3000};
    /// What configured() answers: whether the order service has a payment provider, as the
    /// gateway's own configuration says (the HTTP layer asks per request, so it is no call).
    bool configured = false;
};

/// As OrderClient, for payments. Reads (view) are tried on a second instance after a transport
/// failure; start, query (it asks the provider and may settle a payment), close and refund are
/// not. handle_notification is tried once (the provider sends it again on its own) and never
/// throws for a service that cannot be reached: it answers the provider a 503 in the form the
/// order service answers its own "cannot handle it now", so the provider retries later; any
/// other failure throws std::runtime_error (a 500 at the HTTP layer, which the provider retries too).
class PaymentClient final : public services::PaymentApi {
public:
    /// `pool` (built with make_stubs, shareable with OrderClient) must outlive the client.
    PaymentClient(InstancePool& pool, PaymentClientSettings settings);
    /// The same stubs as OrderClient::make_stubs.
    static std::shared_ptr<void> make_stubs(const std::shared_ptr<grpc::Channel>& channel);

    bool configured() const override;
    Result<services::PaymentStarted> start(
        std::int64_t user_id, const std::string& order_no, const std::string& client_ip
    ) override;
    Result<services::QueryOutcome> query(std::int64_t user_id, const std::string& order_no) override;
    Result<domain::Order> close(std::int64_t user_id, const std::string& order_no) override;
    Result<services::RefundOutcome> refund(std::int64_t user_id, const std::string& order_no, Cents amount) override;
    /// user_id 0: any shopper's order (admin; the HTTP layer checked the role).
    Result<services::PaymentView> view(std::int64_t user_id, const std::string& order_no) override;
    ports::NotificationAnswer handle_notification(const ports::IncomingNotification& notification) override;

private:
    InstancePool& pool_;
    const PaymentClientSettings settings_;
};

}  // namespace gomall::rpc
