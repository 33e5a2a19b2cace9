// Contract tests of the order side over gRPC: OrderClient and PaymentClient (and the generated
// stubs) against a real gRPC server on a loopback port, serving the real OrderService and
// PaymentService on SQLite in a temporary file, with a scripted payment provider. What a call
// answers through the client is checked against what the same service answers in process, so the
// wire loses nothing on the way: every field, every error's code and field, byte for byte what the
// provider sent and is answered.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "adapters/memory/memory_service_registry.hpp"
#include "adapters/sql/cart_repository.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/payment_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "core/unavailable.hpp"
#include "gomall/v1/order.grpc.pb.h"
#include "gomall/v1/payment.grpc.pb.h"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/payment_gateway.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/order_client.hpp"
#include "rpc/order_server.hpp"
#include "rpc/status_mapping.hpp"
#include "rpc/unix_millis.hpp"
#include "services/order_number.hpp"
#include "services/order_service.hpp"
#include "services/payment_service.hpp"
#include "unit/rpc/temp_sqlite_database.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;
using domain::OrderStatus;

constexpr const char* kSecret = "contract-test-secret-of-the-order-side";
constexpr const char* kScanPage = "http://scan.test/pay";

/// The answer the fake provider gives a notification: the reason travels in it (byte for byte, so
/// what the provider sent in a rejected body comes back in the answer), with a byte that is not
/// UTF-8 of its own.
ports::NotificationAnswer fake_answer(bool accepted, const std::string& reason) {
    return ports::NotificationAnswer{
        accepted ? 200 : 401,
        accepted ? "application/json" : "text/plain; charset=binary",
        std::string(accepted ? "ACCEPTED" : "REFUSED:") + reason + "\xfe"};
}

/// A scripted provider: Native payments with a QR code and a prepay id, queries answering what the
/// test set, refunds that succeed at once, and notifications whose verdict the test sets. It
/// remembers what it was asked, so a test can see what crossed the wire.
class FakeGateway final : public ports::PaymentGateway {
public:
    std::string provider() const override { return "wechat_v3"; }

    ports::GatewayResult<ports::NativePayment> create_native(const ports::NativePaymentRequest& request) override {
        const std::lock_guard lock(mutex_);
        client_ips_.push_back(request.client_ip);
        ++created_;
        return ports::NativePayment{
            "weixin://wxpay/bizpayurl?pr=QR" + std::to_string(created_), "prepay-" + std::to_string(created_)};
    }

    ports::GatewayResult<ports::Transaction> query(const std::string& out_trade_no) override {
        const std::lock_guard lock(mutex_);
        if (paid_) {
            ports::Transaction tx = *paid_;
            tx.out_trade_no = out_trade_no;
            return tx;
        }
        ports::Transaction tx;
        tx.out_trade_no = out_trade_no;
        tx.state = ports::TradeState::kNotPay;
        tx.state_text = "NOTPAY";
        return tx;
    }

    ports::GatewayResult<std::monostate> close(const std::string& /*out_trade_no*/) override {
        return std::monostate{};
    }

    ports::GatewayResult<ports::Refund> refund(const ports::RefundRequest& request) override {
        ports::Refund refund;
        refund.mch_id = "1900000109";
        refund.out_trade_no = request.out_trade_no;
        refund.out_refund_no = request.out_refund_no;
        refund.refund_id = "50300" + request.out_refund_no;
        refund.state = ports::RefundState::kSuccess;
        refund.state_text = "SUCCESS";
        refund.refund = request.refund;
        refund.total = request.total;
        return refund;
    }

    ports::GatewayResult<ports::Refund> query_refund(const std::string& /*out_refund_no*/) override {
        return ports::GatewayError{ports::GatewayFailure::kNotFound, "RESOURCE_NOT_EXISTS", "not here", 0s};
    }

    Result<ports::VerifiedNotification> verify_notification(const ports::IncomingNotification& notification) override {
        const std::lock_guard lock(mutex_);
        received_.push_back(notification);
        if (verdict_) {
            return *verdict_;
        }
        return make_error(ErrorCode::kBadRequest, "bad signature over " + notification.body);
    }

    ports::NotificationAnswer answer_notification(bool accepted, const std::string& reason) const override {
        return fake_answer(accepted, reason);
    }

    /// From now on, queries report the trade paid with these facts.
    void pay_with(ports::Transaction tx) {
        const std::lock_guard lock(mutex_);
        paid_ = std::move(tx);
    }
    /// From now on, notifications verify as this event.
    void verify_as(ports::VerifiedNotification verdict) {
        const std::lock_guard lock(mutex_);
        verdict_ = std::move(verdict);
    }
    std::vector<ports::IncomingNotification> received() const {
        const std::lock_guard lock(mutex_);
        return received_;
    }
    std::vector<std::string> client_ips() const {
        const std::lock_guard lock(mutex_);
        return client_ips_;
    }

private:
    mutable std::mutex mutex_;
    int created_ = 0;
    std::optional<ports::Transaction> paid_;
    std::optional<ports::VerifiedNotification> verdict_;
    std::vector<ports::IncomingNotification> received_;
    std::vector<std::string> client_ips_;
};

/// The system's time floored to the second, plus 456.789 ms: every time the services make has a
/// millisecond part, which the wire must keep, and a part below it, which the wire drops.
class OffBeatClock final : public ports::Clock {
public:
    TimePoint now() const override {
        return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 456ms + 789us;
    }
};

/// The in-process OrderApi, remembering the last order it answered, so a test can compare what
/// crossed the wire with exactly what the service returned (times to the millisecond: the database
/// keeps only seconds, so a re-read cannot show them).
class RecordingOrders final : public services::OrderApi {
public:
    explicit RecordingOrders(services::OrderApi& inner) : inner_(inner) {}

    Result<domain::Order> create(std::int64_t user_id, std::int64_t product_id, int quantity) override {
        return keep(inner_.create(user_id, product_id, quantity));
    }
    Result<domain::Order> checkout(std::int64_t user_id, const std::optional<std::vector<std::int64_t>>& ids) override {
        return keep(inner_.checkout(user_id, ids));
    }
    domain::Page<domain::Order> list(std::int64_t user_id, std::optional<OrderStatus> status, int page, int page_size)
        override {
        return inner_.list(user_id, status, page, page_size);
    }
    domain::Page<domain::Order> list_all(std::optional<OrderStatus> status, int page, int page_size) override {
        return inner_.list_all(status, page, page_size);
    }
    Result<domain::Order> get(std::int64_t user_id, const std::string& order_no) override {
        return keep(inner_.get(user_id, order_no));
    }
    Result<domain::Order> get_any(const std::string& order_no) override { return keep(inner_.get_any(order_no)); }
    Result<domain::Order> pay(std::int64_t user_id, const std::string& order_no) override {
        return keep(inner_.pay(user_id, order_no));
    }
    Result<domain::Order> cancel(std::int64_t user_id, const std::string& order_no) override {
        return keep(inner_.cancel(user_id, order_no));
    }

    std::optional<domain::Order> last() const {
        const std::lock_guard lock(mutex_);
        return last_;
    }

private:
    Result<domain::Order> keep(Result<domain::Order> result) {
        if (result.ok()) {
            const std::lock_guard lock(mutex_);
            last_ = result.value();
        }
        return result;
    }

    services::OrderApi& inner_;
    mutable std::mutex mutex_;
    std::optional<domain::Order> last_;
};

/// As RecordingOrders, for payments: the last answer of each kind.
class RecordingPayments final : public services::PaymentApi {
public:
    explicit RecordingPayments(services::PaymentApi& inner) : inner_(inner) {}

    bool configured() const override { return inner_.configured(); }
    Result<services::PaymentStarted> start(
        std::int64_t user_id, const std::string& order_no, const std::string& client_ip
    ) override {
        return keep(inner_.start(user_id, order_no, client_ip), started_);
    }
    Result<services::QueryOutcome> query(std::int64_t user_id, const std::string& order_no) override {
        return keep(inner_.query(user_id, order_no), queried_);
    }
    Result<domain::Order> close(std::int64_t user_id, const std::string& order_no) override {
        return keep(inner_.close(user_id, order_no), closed_);
    }
    Result<services::RefundOutcome> refund(std::int64_t user_id, const std::string& order_no, Cents amount) override {
        return keep(inner_.refund(user_id, order_no, amount), refunded_);
    }
    Result<services::PaymentView> view(std::int64_t user_id, const std::string& order_no) override {
        return inner_.view(user_id, order_no);
    }
    ports::NotificationAnswer handle_notification(const ports::IncomingNotification& notification) override {
        return inner_.handle_notification(notification);
    }

    std::optional<services::PaymentStarted> started() const { return copy(started_); }
    std::optional<services::QueryOutcome> queried() const { return copy(queried_); }
    std::optional<domain::Order> closed() const { return copy(closed_); }
    std::optional<services::RefundOutcome> refunded() const { return copy(refunded_); }

private:
    template <class T>
    Result<T> keep(Result<T> result, std::optional<T>& slot) {
        if (result.ok()) {
            const std::lock_guard lock(mutex_);
            slot = result.value();
        }
        return result;
    }
    template <class T>
    std::optional<T> copy(const std::optional<T>& slot) const {
        const std::lock_guard lock(mutex_);
        return slot;
    }

    services::PaymentApi& inner_;
    mutable std::mutex mutex_;
    std::optional<services::PaymentStarted> started_;
    std::optional<services::QueryOutcome> queried_;
    std::optional<domain::Order> closed_;
    std::optional<services::RefundOutcome> refunded_;
};

/// What the order role runs: OrderService and PaymentService on the shared database, served
/// through the recorders. `gateway` null: no provider configured; `direct_pay`: the demo button.
struct OrderSide {
    OrderSide(adapters::sql::Database& db, ports::PaymentGateway* gateway, bool direct_pay)
        : users(db),
          products(db),
          carts(db),
          orders(db),
          payments(db),
          order_service(orders, carts, numbers, clock, order_settings(direct_pay)),
          payment_service(orders, payments, gateway, clock, payment_settings()) {}

    static services::OrderSettings order_settings(bool direct_pay) {
        services::OrderSettings settings;
        settings.direct_pay_enabled = direct_pay;
        return settings;
    }

    static services::PaymentSettings payment_settings() {
        services::PaymentSettings settings;
        settings.scan_page_url = kScanPage;
        return settings;
    }

    std::int64_t add_user(const std::string& name) {
        const auto id = users.create({name, name + "@example.com", "", "not-a-real-hash", {}}, clock.now());
        EXPECT_TRUE(id.has_value());
        return id.value_or(0);
    }

    std::int64_t add_product(const std::string& name, Cents price, std::int64_t stock) {
        domain::NewProduct product;
        product.name = name;
        product.description = "the " + name + " of the test";
        product.price = price;
        product.stock = stock;
        product.image_url = "/images/" + name + ".png";
        return products.create(product, clock.now());
    }

    OffBeatClock clock;
    services::OrderNumberGenerator numbers{7, clock};
    adapters::sql::SqlUserRepository users;
    adapters::sql::SqlProductRepository products;
    adapters::sql::SqlCartRepository carts;
    adapters::sql::SqlOrderRepository orders;
    adapters::sql::SqlPaymentRepository payments;
    services::OrderService order_service;
    services::PaymentService payment_service;
    RecordingOrders served_orders{order_service};
    RecordingPayments served_payments{payment_service};
};

/// One gRPC server of the order role on a loopback port.
struct Served {
    Served(OrderSide& side, const boost::asio::any_io_executor& blocking)
        : server_side(side.served_orders, side.served_payments, OrderServerSettings{kSecret, blocking}) {
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        server_side.register_with(builder);
        server = builder.BuildAndStart();
    }
    ~Served() {
        if (server) {
            server->Shutdown(std::chrono::system_clock::now() + 1s);
        }
    }
    Served(const Served&) = delete;
    Served& operator=(const Served&) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(port); }

    OrderServer server_side;
    int port = 0;
    std::unique_ptr<grpc::Server> server;
};

/// What the gateway runs: one pool of the role's instances, shared by both clients.
struct Gateway {
    Gateway(ports::ServiceRegistry& registry, std::vector<std::string> addresses, const std::string& secret)
        : pool(registry, "order", services::BreakerSettings{}, clock, metrics, OrderClient::make_stubs),
          orders(pool, OrderClientSettings{secret, 5s}),
          payments(pool, PaymentClientSettings{secret, 5s, true}) {
        ports::InstanceSet instances;
        int n = 0;
        for (auto& address : addresses) {
            instances.push_back(ports::ServiceInstance{"order", "i" + std::to_string(n++), std::move(address), 1, {}});
        }
        pool.update(instances);
    }

    ports::SystemClock clock;
    ports::NullMetrics metrics;
    InstancePool pool;
    OrderClient orders;
    PaymentClient payments;
};

class OrderContractTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_support::TempSqliteDatabase>("gomall-order-rpc-test");
        side_ = std::make_unique<OrderSide>(**db_, &provider_, true);
        served_ = std::make_unique<Served>(*side_, blocking_.get_executor());
        ASSERT_NE(served_->server, nullptr);
        gateway_ = make_gateway(kSecret, {served_->address()});
        alice_ = side_->add_user("alice");
        bob_ = side_->add_user("bob");
        atlas_ = side_->add_product("atlas", 7'999, 20);
        cookbook_ = side_->add_product("cookbook", 4'999, 3);
    }

    void TearDown() override {
        gateways_.clear();
        gateway_.reset();
        served_.reset();
        other_served_.reset();
        blocking_.join();
        other_side_.reset();
        side_.reset();
        db_.reset();
    }

    std::unique_ptr<Gateway> make_gateway(const std::string& secret, std::vector<std::string> addresses) {
        return std::make_unique<Gateway>(registry_, std::move(addresses), secret);
    }

    /// A second order role on the same database, with the demo button off and no provider
    /// configured, and a gateway to it.
    Gateway& strict_side() {
        other_side_ = std::make_unique<OrderSide>(**db_, nullptr, false);
        other_served_ = std::make_unique<Served>(*other_side_, blocking_.get_executor());
        EXPECT_NE(other_served_->server, nullptr);
        return *gateways_.emplace_back(make_gateway(kSecret, {other_served_->address()}));
    }

    services::OrderApi& remote_orders() { return gateway_->orders; }
    services::PaymentApi& remote_payments() { return gateway_->payments; }
    services::OrderService& local_orders() { return side_->order_service; }
    services::PaymentService& local_payments() { return side_->payment_service; }

    /// An order of `user` placed in process.
    domain::Order placed(std::int64_t user, std::int64_t product, int quantity) {
        auto order = local_orders().create(user, product, quantity);
        EXPECT_TRUE(order.ok()) << order.error().message;
        return order.ok() ? order.value() : domain::Order{};
    }

    adapters::memory::MemoryServiceRegistry registry_;
    FakeGateway provider_;
    std::unique_ptr<test_support::TempSqliteDatabase> db_;
    std::unique_ptr<OrderSide> side_;
    std::unique_ptr<OrderSide> other_side_;
    boost::asio::thread_pool blocking_{2};
    std::unique_ptr<Served> served_;
    std::unique_ptr<Served> other_served_;
    std::unique_ptr<Gateway> gateway_;
    std::vector<std::unique_ptr<Gateway>> gateways_;
    std::int64_t alice_ = 0;
    std::int64_t bob_ = 0;
    std::int64_t atlas_ = 0;
    std::int64_t cookbook_ = 0;
};

std::optional<std::int64_t> millis_of(const std::optional<TimePoint>& time) {
    return time ? std::optional<std::int64_t>(to_unix_millis(*time)) : std::nullopt;
}

void expect_same_order(const domain::Order& actual, const domain::Order& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.order_no, expected.order_no);
    EXPECT_EQ(actual.user_id, expected.user_id);
    EXPECT_EQ(actual.product_id, expected.product_id);
    EXPECT_EQ(actual.product_name, expected.product_name);
    EXPECT_EQ(actual.product_image, expected.product_image);
    EXPECT_EQ(actual.quantity, expected.quantity);
    EXPECT_EQ(actual.total_price, expected.total_price);
    EXPECT_EQ(actual.status, expected.status);
    EXPECT_EQ(actual.pay_type, expected.pay_type);
    EXPECT_EQ(actual.seckill_activity_id, expected.seckill_activity_id);
    ASSERT_EQ(actual.items.size(), expected.items.size());
    for (std::size_t i = 0; i < actual.items.size(); ++i) {
        EXPECT_EQ(actual.items[i].product_id, expected.items[i].product_id);
        EXPECT_EQ(actual.items[i].product_name, expected.items[i].product_name);
        EXPECT_EQ(actual.items[i].product_image, expected.items[i].product_image);
        EXPECT_EQ(actual.items[i].quantity, expected.items[i].quantity);
        EXPECT_EQ(actual.items[i].unit_price, expected.items[i].unit_price);
    }
    // Times travel as unix milliseconds.
    EXPECT_EQ(millis_of(actual.paid_at), millis_of(expected.paid_at));
    EXPECT_EQ(to_unix_millis(actual.expires_at), to_unix_millis(expected.expires_at));
    EXPECT_EQ(to_unix_millis(actual.created_at), to_unix_millis(expected.created_at));
    EXPECT_EQ(to_unix_millis(actual.updated_at), to_unix_millis(expected.updated_at));
}

void expect_same_page(const domain::Page<domain::Order>& actual, const domain::Page<domain::Order>& expected) {
    EXPECT_EQ(actual.total, expected.total);
    EXPECT_EQ(actual.page, expected.page);
    EXPECT_EQ(actual.page_size, expected.page_size);
    ASSERT_EQ(actual.items.size(), expected.items.size());
    for (std::size_t i = 0; i < actual.items.size(); ++i) {
        expect_same_order(actual.items[i], expected.items[i]);
    }
}

void expect_same_attempt(const domain::PaymentAttempt& actual, const domain::PaymentAttempt& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.order_no, expected.order_no);
    EXPECT_EQ(actual.user_id, expected.user_id);
    EXPECT_EQ(actual.attempt_no, expected.attempt_no);
    EXPECT_EQ(actual.out_trade_no, expected.out_trade_no);
    EXPECT_EQ(actual.provider, expected.provider);
    EXPECT_EQ(actual.amount, expected.amount);
    EXPECT_EQ(actual.status, expected.status);
    EXPECT_EQ(actual.code_url, expected.code_url);
    EXPECT_EQ(actual.prepay_id, expected.prepay_id);
    EXPECT_EQ(actual.transaction_id, expected.transaction_id);
    EXPECT_EQ(to_unix_millis(actual.expires_at), to_unix_millis(expected.expires_at));
    EXPECT_EQ(millis_of(actual.paid_at), millis_of(expected.paid_at));
    EXPECT_EQ(to_unix_millis(actual.created_at), to_unix_millis(expected.created_at));
    EXPECT_EQ(to_unix_millis(actual.updated_at), to_unix_millis(expected.updated_at));
}

void expect_same_refund(const domain::RefundEntry& actual, const domain::RefundEntry& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.out_refund_no, expected.out_refund_no);
    EXPECT_EQ(actual.order_no, expected.order_no);
    EXPECT_EQ(actual.out_trade_no, expected.out_trade_no);
    EXPECT_EQ(actual.provider, expected.provider);
    EXPECT_EQ(actual.amount, expected.amount);
    EXPECT_EQ(actual.status, expected.status);
    EXPECT_EQ(actual.refund_id, expected.refund_id);
    EXPECT_EQ(actual.automatic, expected.automatic);
    EXPECT_EQ(to_unix_millis(actual.created_at), to_unix_millis(expected.created_at));
    EXPECT_EQ(to_unix_millis(actual.updated_at), to_unix_millis(expected.updated_at));
}

void expect_same_view(const services::PaymentView& actual, const services::PaymentView& expected) {
    expect_same_order(actual.order, expected.order);
    ASSERT_EQ(actual.latest.has_value(), expected.latest.has_value());
    if (actual.latest) {
        expect_same_attempt(*actual.latest, *expected.latest);
    }
    EXPECT_EQ(actual.trade_state, expected.trade_state);
    EXPECT_EQ(actual.paid, expected.paid);
    EXPECT_EQ(actual.refunded, expected.refunded);
    EXPECT_EQ(actual.refundable, expected.refundable);
    EXPECT_EQ(actual.scan_url, expected.scan_url);
    ASSERT_EQ(actual.refunds.size(), expected.refunds.size());
    for (std::size_t i = 0; i < actual.refunds.size(); ++i) {
        expect_same_refund(actual.refunds[i], expected.refunds[i]);
    }
    ASSERT_EQ(actual.records.size(), expected.records.size());
    for (std::size_t i = 0; i < actual.records.size(); ++i) {
        const auto& a = actual.records[i];
        const auto& e = expected.records[i];
        EXPECT_EQ(a.id, e.id);
        EXPECT_EQ(a.order_no, e.order_no);
        EXPECT_EQ(a.kind, e.kind);
        EXPECT_EQ(a.provider, e.provider);
        EXPECT_EQ(a.out_trade_no, e.out_trade_no);
        EXPECT_EQ(a.transaction_id, e.transaction_id);
        EXPECT_EQ(a.out_refund_no, e.out_refund_no);
        EXPECT_EQ(a.refund_id, e.refund_id);
        EXPECT_EQ(a.amount, e.amount);
        EXPECT_EQ(a.status, e.status);
        EXPECT_EQ(a.detail, e.detail);
        EXPECT_EQ(to_unix_millis(a.created_at), to_unix_millis(e.created_at));
    }
}

TEST_F(OrderContractTest, AnOrderMakesTheRoundTripWithEveryField) {
    const auto created = remote_orders().create(alice_, atlas_, 3);
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_EQ(created->user_id, alice_);
    EXPECT_EQ(created->status, OrderStatus::kAwaitingPayment);
    EXPECT_EQ(created->total_price, 3 * 7'999);
    EXPECT_EQ(created->quantity, 3);
    ASSERT_EQ(created->items.size(), 1U);
    EXPECT_EQ(created->items[0].product_name, "atlas");
    EXPECT_EQ(created->items[0].product_image, "/images/atlas.png");
    EXPECT_EQ(created->items[0].unit_price, 7'999);
    EXPECT_FALSE(created->paid_at.has_value());
    // Exactly what the service answered, to the millisecond (its clock always has 456 of them).
    const auto answered = side_->served_orders.last();
    ASSERT_TRUE(answered.has_value());
    expect_same_order(created.value(), *answered);
    EXPECT_EQ(to_unix_millis(created->created_at) % 1000, 456);
    EXPECT_EQ(to_unix_millis(created->expires_at) - to_unix_millis(created->created_at), 900'000);

    // Reads come from the database: the same as in process.
    const auto in_process = local_orders().get(alice_, created->order_no);
    ASSERT_TRUE(in_process.ok());
    EXPECT_EQ(in_process->order_no, created->order_no);
    EXPECT_EQ(in_process->total_price, created->total_price);
    const auto read = remote_orders().get(alice_, created->order_no);
    ASSERT_TRUE(read.ok()) << read.error().message;
    expect_same_order(read.value(), in_process.value());
    const auto any = remote_orders().get_any(created->order_no);
    ASSERT_TRUE(any.ok()) << any.error().message;
    expect_same_order(any.value(), in_process.value());

    // The demo button: paid, by the demo, at a time that must travel.
    const auto paid = remote_orders().pay(alice_, created->order_no);
    ASSERT_TRUE(paid.ok()) << paid.error().message;
    EXPECT_EQ(paid->status, OrderStatus::kPaid);
    EXPECT_EQ(paid->pay_type, domain::PayType::kDemo);
    ASSERT_TRUE(paid->paid_at.has_value());
    expect_same_order(paid.value(), side_->served_orders.last().value());
    expect_same_order(
        remote_orders().get(alice_, created->order_no).value(), local_orders().get(alice_, created->order_no).value()
    );

    const auto other = remote_orders().create(alice_, cookbook_, 1);
    ASSERT_TRUE(other.ok()) << other.error().message;
    const auto cancelled = remote_orders().cancel(alice_, other->order_no);
    ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
    EXPECT_EQ(cancelled->status, OrderStatus::kCancelled);
    expect_same_order(cancelled.value(), side_->served_orders.last().value());
    EXPECT_EQ(side_->products.find(cookbook_)->stock, 3);  // the unit went back
}

TEST_F(OrderContractTest, ListingsAreTheSamePagesAsTheInProcessService) {
    const auto a1 = placed(alice_, atlas_, 1);
    const auto a2 = placed(alice_, cookbook_, 2);
    const auto a3 = placed(alice_, atlas_, 2);
    placed(bob_, atlas_, 1);
    ASSERT_TRUE(local_orders().pay(alice_, a2.order_no).ok());
    ASSERT_TRUE(local_orders().cancel(alice_, a3.order_no).ok());

    struct Listing {
        std::optional<OrderStatus> status;
        int page;
        int page_size;
    };
    const std::vector<Listing> listings = {
        {std::nullopt, 1, 20},
        {OrderStatus::kPaid, 1, 20},
        {OrderStatus::kAwaitingPayment, 1, 20},
        {std::nullopt, 2, 2},
        {OrderStatus::kShipped, 1, 5},
    };
    for (const auto& l : listings) {
        SCOPED_TRACE(
            "status " + std::to_string(l.status ? static_cast<int>(*l.status) : -1) + ", page " +
            std::to_string(l.page) + " of " + std::to_string(l.page_size)
        );
        expect_same_page(
            remote_orders().list(alice_, l.status, l.page, l.page_size),
            local_orders().list(alice_, l.status, l.page, l.page_size)
        );
        expect_same_page(
            remote_orders().list_all(l.status, l.page, l.page_size),
            local_orders().list_all(l.status, l.page, l.page_size)
        );
    }

    // The listings above must tell their fields apart, or the comparison proves little.
    EXPECT_EQ(remote_orders().list(alice_, std::nullopt, 1, 20).total, 3);
    EXPECT_EQ(remote_orders().list_all(std::nullopt, 1, 20).total, 4);
    const auto paid = remote_orders().list(alice_, OrderStatus::kPaid, 1, 20);
    ASSERT_EQ(paid.items.size(), 1U);
    EXPECT_EQ(paid.items[0].order_no, a2.order_no);
    EXPECT_EQ(remote_orders().list_all(OrderStatus::kAwaitingPayment, 1, 20).total, 2);
    const auto second = remote_orders().list(alice_, std::nullopt, 2, 2);
    EXPECT_EQ(second.page, 2);
    EXPECT_EQ(second.page_size, 2);
    ASSERT_EQ(second.items.size(), 1U);
    EXPECT_EQ(second.items[0].order_no, a1.order_no);  // newest first: a3, a2 | a1
}

TEST_F(OrderContractTest, CheckoutBuysTheSelectionAndAnEmptySelectionBuysNothing) {
    const auto now = side_->clock.now();
    ASSERT_TRUE(side_->carts.add(alice_, atlas_, 2, domain::kMaxCartQuantity, now).has_value());
    ASSERT_TRUE(side_->carts.add(alice_, cookbook_, 1, domain::kMaxCartQuantity, now).has_value());

    // An empty selection is not "the whole cart".
    const auto nothing = remote_orders().checkout(alice_, std::vector<std::int64_t>{});
    ASSERT_FALSE(nothing.ok());
    EXPECT_EQ(nothing.error().code, ErrorCode::kNothingToCheckout);
    EXPECT_EQ(side_->carts.list(alice_).size(), 2U);

    const auto first = remote_orders().checkout(alice_, std::vector<std::int64_t>{cookbook_});
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first->items.size(), 1U);
    EXPECT_EQ(first->items[0].product_id, cookbook_);
    EXPECT_EQ(first->total_price, 4'999);
    expect_same_order(first.value(), side_->served_orders.last().value());
    const auto left = side_->carts.list(alice_);
    ASSERT_EQ(left.size(), 1U);
    EXPECT_EQ(left[0].product_id, atlas_);

    const auto rest = remote_orders().checkout(alice_, std::nullopt);
    ASSERT_TRUE(rest.ok()) << rest.error().message;
    ASSERT_EQ(rest->items.size(), 1U);
    EXPECT_EQ(rest->items[0].product_id, atlas_);
    EXPECT_EQ(rest->items[0].quantity, 2);
    EXPECT_EQ(rest->total_price, 2 * 7'999);
    EXPECT_TRUE(side_->carts.list(alice_).empty());

    const auto empty_cart = remote_orders().checkout(alice_, std::nullopt);
    ASSERT_FALSE(empty_cart.ok());
    EXPECT_EQ(empty_cart.error().code, ErrorCode::kNothingToCheckout);
}

TEST_F(OrderContractTest, RefusalsKeepTheirCodeFieldAndMessage) {
    const auto too_many = remote_orders().create(alice_, cookbook_, 4);
    ASSERT_FALSE(too_many.ok());
    EXPECT_EQ(too_many.error().code, ErrorCode::kInsufficientStock);
    EXPECT_EQ(too_many.error().field, std::to_string(cookbook_));
    EXPECT_EQ(too_many.error().message, local_orders().create(alice_, cookbook_, 4).error().message);

    const auto bad_quantity = remote_orders().create(alice_, atlas_, 0);
    ASSERT_FALSE(bad_quantity.ok());
    EXPECT_EQ(bad_quantity.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(bad_quantity.error().field, "quantity");

    const auto no_product = remote_orders().create(alice_, 4242, 1);
    ASSERT_FALSE(no_product.ok());
    EXPECT_EQ(no_product.error().code, ErrorCode::kProductNotFound);
    EXPECT_EQ(no_product.error().field, "4242");
    EXPECT_EQ(local_orders().list_all(std::nullopt, 1, 20).total, 0);

    const auto missing = remote_orders().get(alice_, "ORD00000000000000000000000");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(missing.error().message, local_orders().get(alice_, "ORD00000000000000000000000").error().message);
    EXPECT_EQ(remote_orders().get_any("ORD00000000000000000000000").error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_orders().pay(alice_, "ORD00000000000000000000000").error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_orders().cancel(alice_, "ORD00000000000000000000000").error().code, ErrorCode::kOrderNotFound);

    const auto order = placed(alice_, atlas_, 1);
    ASSERT_TRUE(remote_orders().pay(alice_, order.order_no).ok());
    const auto cancel_paid = remote_orders().cancel(alice_, order.order_no);
    ASSERT_FALSE(cancel_paid.ok());
    EXPECT_EQ(cancel_paid.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(cancel_paid.error().message, local_orders().cancel(alice_, order.order_no).error().message);
    const auto pay_twice = remote_orders().pay(alice_, order.order_no);
    ASSERT_FALSE(pay_twice.ok());
    EXPECT_EQ(pay_twice.error().code, ErrorCode::kOrderStatusConflict);

    // The demo button of an order side that has it off.
    auto& strict = strict_side();
    const auto unpaid = placed(alice_, atlas_, 1);
    const auto disabled = strict.orders.pay(alice_, unpaid.order_no);
    ASSERT_FALSE(disabled.ok());
    EXPECT_EQ(disabled.error().code, ErrorCode::kDirectPayDisabled);
    EXPECT_EQ(local_orders().get(alice_, unpaid.order_no)->status, OrderStatus::kAwaitingPayment);
}

TEST_F(OrderContractTest, AnOrderNumberThatIsNotUtf8IsNotFoundLikeAnyUnknownOne) {
    // A path may carry any bytes; the order number travels as bytes, and the error that quotes it
    // must still reach the caller as ORDER_NOT_FOUND rather than a failed call.
    const std::string malformed = "ORD\xff\xfe\xc3\x28";
    const auto got = remote_orders().get(alice_, malformed);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_orders().get_any(malformed).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_orders().cancel(alice_, malformed).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_payments().view(alice_, malformed).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_payments().start(alice_, malformed, "\xff").error().code, ErrorCode::kOrderNotFound);
}

TEST_F(OrderContractTest, ASecondShopperNeverSeesTheFirstsOrder) {
    const auto order = remote_orders().create(alice_, atlas_, 1);
    ASSERT_TRUE(order.ok()) << order.error().message;
    const auto& no = order->order_no;

    EXPECT_EQ(remote_orders().get(bob_, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_orders().pay(bob_, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_orders().cancel(bob_, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_TRUE(remote_orders().list(bob_, std::nullopt, 1, 20).items.empty());
    EXPECT_EQ(remote_payments().start(bob_, no, "203.0.113.9").error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_payments().query(bob_, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_payments().close(bob_, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_payments().refund(bob_, no, 100).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(remote_payments().view(bob_, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_TRUE(provider_.client_ips().empty());

    const auto still = local_orders().get(alice_, no);
    ASSERT_TRUE(still.ok());
    EXPECT_EQ(still->status, OrderStatus::kAwaitingPayment);
    // The admin calls reach it without naming anyone.
    EXPECT_TRUE(remote_orders().get_any(no).ok());
    EXPECT_TRUE(remote_payments().view(0, no).ok());
}

TEST_F(OrderContractTest, APaymentStartsClosesAndIsQueriedWithEveryField) {
    const auto order = placed(alice_, atlas_, 2);
    const auto& no = order.order_no;

    const auto not_started = remote_payments().query(alice_, no);
    ASSERT_FALSE(not_started.ok());
    EXPECT_EQ(not_started.error().code, ErrorCode::kPaymentNotStarted);

    const auto started = remote_payments().start(alice_, no, "203.0.113.7");
    ASSERT_TRUE(started.ok()) << started.error().message;
    EXPECT_EQ(provider_.client_ips(), std::vector<std::string>{"203.0.113.7"});
    EXPECT_EQ(started->order.order_no, no);
    EXPECT_EQ(started->order.status, OrderStatus::kAwaitingPayment);
    EXPECT_EQ(started->attempt.status, domain::AttemptStatus::kOpen);
    EXPECT_EQ(started->attempt.code_url, "weixin://wxpay/bizpayurl?pr=QR1");
    EXPECT_EQ(started->attempt.prepay_id, "prepay-1");
    EXPECT_EQ(started->attempt.user_id, alice_);
    EXPECT_EQ(started->attempt.amount, 2 * 7'999);
    EXPECT_EQ(started->attempt.out_trade_no, no + "-1");
    EXPECT_EQ(started->scan_url, std::string(kScanPage) + "?pr=QR1");
    const auto answered = side_->served_payments.started();
    ASSERT_TRUE(answered.has_value());
    expect_same_order(started->order, answered->order);
    expect_same_attempt(started->attempt, answered->attempt);
    EXPECT_EQ(started->scan_url, answered->scan_url);
    EXPECT_EQ(to_unix_millis(started->attempt.created_at) % 1000, 456);

    const auto local_view = local_payments().view(alice_, no);
    ASSERT_TRUE(local_view.ok());
    const auto view = remote_payments().view(alice_, no);
    ASSERT_TRUE(view.ok()) << view.error().message;
    expect_same_view(view.value(), local_view.value());
    EXPECT_EQ(view->trade_state, "NOTPAY");
    EXPECT_FALSE(view->records.empty());

    const auto closed = remote_payments().close(alice_, no);
    ASSERT_TRUE(closed.ok()) << closed.error().message;
    EXPECT_EQ(closed->status, OrderStatus::kAwaitingPayment);
    expect_same_order(closed.value(), side_->served_payments.closed().value());
    const auto after_close = remote_payments().view(alice_, no);
    ASSERT_TRUE(after_close.ok());
    EXPECT_EQ(after_close->trade_state, "CLOSED");
    ASSERT_TRUE(after_close->latest.has_value());
    EXPECT_EQ(after_close->latest->status, domain::AttemptStatus::kClosed);
    const auto close_again = remote_payments().close(alice_, no);
    ASSERT_FALSE(close_again.ok());
    EXPECT_EQ(close_again.error().code, ErrorCode::kPaymentNotStarted);

    const auto second = remote_payments().start(alice_, no, "203.0.113.7");
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second->attempt.attempt_no, 2);

    // The provider reports the second trade paid: the query settles it and says so, every field.
    ports::Transaction tx;
    tx.app_id = "wxd678efh567hg6787";
    tx.mch_id = "1230000109";
    tx.transaction_id = "4200000000202401010000000001";
    tx.state = ports::TradeState::kSuccess;
    tx.state_text = "SUCCESS";
    tx.total = 15'998;        // two atlases
    tx.payer_total = 15'898;  // a coupon of the provider's paid the rest
    tx.currency = "CNY";
    tx.success_time = from_unix_millis(1'700'000'000'123);
    provider_.pay_with(tx);
    const auto queried = remote_payments().query(alice_, no);
    ASSERT_TRUE(queried.ok()) << queried.error().message;
    EXPECT_EQ(queried->order.status, OrderStatus::kPaid);
    EXPECT_EQ(queried->order.pay_type, domain::PayType::kWechat);
    expect_same_order(queried->order, side_->served_payments.queried().value().order);
    const auto& got = queried->transaction;
    EXPECT_EQ(got.app_id, tx.app_id);
    EXPECT_EQ(got.mch_id, tx.mch_id);
    EXPECT_EQ(got.out_trade_no, no + "-2");
    EXPECT_EQ(got.transaction_id, tx.transaction_id);
    EXPECT_EQ(got.state, ports::TradeState::kSuccess);
    EXPECT_EQ(got.state_text, "SUCCESS");
    EXPECT_EQ(got.total, tx.total);
    EXPECT_EQ(got.payer_total, tx.payer_total);
    EXPECT_EQ(got.currency, "CNY");
    EXPECT_EQ(millis_of(got.success_time), std::optional<std::int64_t>(1'700'000'000'123));

    const auto paid_view = remote_payments().view(alice_, no);
    ASSERT_TRUE(paid_view.ok());
    expect_same_view(paid_view.value(), local_payments().view(alice_, no).value());
    EXPECT_EQ(paid_view->trade_state, "SUCCESS");
    ASSERT_TRUE(paid_view->latest && paid_view->latest->paid_at);
    EXPECT_EQ(paid_view->latest->transaction_id, tx.transaction_id);
    EXPECT_EQ(paid_view->paid, 2 * 7'999);
    EXPECT_EQ(paid_view->refundable, 2 * 7'999);
    // The admin's view (user 0) is the same page.
    const auto admin_view = remote_payments().view(0, no);
    ASSERT_TRUE(admin_view.ok()) << admin_view.error().message;
    expect_same_view(admin_view.value(), paid_view.value());
}

TEST_F(OrderContractTest, ARefundMakesTheRoundTripAndTooLargeOneKeepsItsField) {
    const auto order = placed(alice_, atlas_, 1);
    const auto& no = order.order_no;
    ASSERT_TRUE(remote_payments().start(alice_, no, "203.0.113.7").ok());
    ports::Transaction tx;
    tx.transaction_id = "4200000000202401010000000002";
    tx.state = ports::TradeState::kSuccess;
    tx.state_text = "SUCCESS";
    tx.total = 7'999;
    tx.payer_total = 7'999;
    tx.currency = "CNY";
    provider_.pay_with(tx);
    ASSERT_TRUE(remote_payments().query(alice_, no).ok());

    const auto bad = remote_payments().refund(alice_, no, 0);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(bad.error().field, "refund_fee");

    const auto part = remote_payments().refund(alice_, no, 2'000);
    ASSERT_TRUE(part.ok()) << part.error().message;
    EXPECT_EQ(part->refunded, 2'000);
    EXPECT_EQ(part->refundable, 5'999);
    EXPECT_EQ(part->order.status, OrderStatus::kPaid);
    EXPECT_EQ(part->refund.amount, 2'000);
    EXPECT_EQ(part->refund.status, domain::RefundStatus::kSuccess);
    EXPECT_EQ(part->refund.out_refund_no, no + "-R1");
    EXPECT_EQ(part->refund.refund_id, "50300" + no + "-R1");
    EXPECT_FALSE(part->refund.automatic);
    const auto answered = side_->served_payments.refunded();
    ASSERT_TRUE(answered.has_value());
    expect_same_order(part->order, answered->order);
    expect_same_refund(part->refund, answered->refund);
    EXPECT_EQ(part->refunded, answered->refunded);
    EXPECT_EQ(part->refundable, answered->refundable);

    const auto too_large = remote_payments().refund(alice_, no, 6'000);
    ASSERT_FALSE(too_large.ok());
    EXPECT_EQ(too_large.error().code, ErrorCode::kRefundTooLarge);
    EXPECT_EQ(too_large.error().field, "refund_fee");

    const auto rest = remote_payments().refund(alice_, no, 5'999);
    ASSERT_TRUE(rest.ok()) << rest.error().message;
    EXPECT_EQ(rest->order.status, OrderStatus::kRefunded);
    EXPECT_EQ(rest->refundable, 0);

    const auto view = remote_payments().view(alice_, no);
    ASSERT_TRUE(view.ok());
    expect_same_view(view.value(), local_payments().view(alice_, no).value());
    EXPECT_EQ(view->trade_state, "REFUND");
    EXPECT_EQ(view->refunds.size(), 2U);
    EXPECT_EQ(view->refunded, 7'999);
}

TEST_F(OrderContractTest, ANotificationPassesThroughByteForByteBothWays) {
    ports::IncomingNotification incoming;
    incoming.headers = {
        {"content-type", "application/json"},
        {"wechatpay-signature", std::string("c2lnbmF0dXJl\xff\x00=", 15)},  // 12 + 3 bytes, one NUL
        {"x-\xc3\x28odd", "\xe2\x82"},
    };
    static constexpr char kBody[] = "{\"resource\":\"\xff\xfe\x80 not UTF-8\",\"nul\":\"\x00\"}";
    incoming.body = std::string(kBody, sizeof(kBody) - 1);

    const auto answer = remote_payments().handle_notification(incoming);
    const auto received = provider_.received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].headers, incoming.headers);
    EXPECT_EQ(received[0].body, incoming.body);

    // Refused (the fake's verdict): the answer quotes the body back, and adds a byte of its own.
    const auto expected = fake_answer(false, "bad signature over " + incoming.body);
    EXPECT_EQ(answer.status, expected.status);
    EXPECT_EQ(answer.content_type, expected.content_type);
    EXPECT_EQ(answer.body, expected.body);
    const auto in_process = local_payments().handle_notification(incoming);
    EXPECT_EQ(answer.status, in_process.status);
    EXPECT_EQ(answer.content_type, in_process.content_type);
    EXPECT_EQ(answer.body, in_process.body);
}

TEST_F(OrderContractTest, AVerifiedNotificationPaysTheOrderAndIsAccepted) {
    const auto order = placed(alice_, atlas_, 1);
    const auto started = remote_payments().start(alice_, order.order_no, "203.0.113.7");
    ASSERT_TRUE(started.ok()) << started.error().message;
    ports::Transaction tx;
    tx.out_trade_no = started->attempt.out_trade_no;
    tx.transaction_id = "4200000000202401010000000003";
    tx.state = ports::TradeState::kSuccess;
    tx.state_text = "SUCCESS";
    tx.total = 7'999;
    tx.payer_total = 7'999;
    tx.currency = "CNY";
    provider_.verify_as(ports::VerifiedNotification{"event-1", tx});

    const auto answer = remote_payments().handle_notification({{{"wechatpay-serial", "ABC"}}, R"({"id":"event-1"})"});
    const auto expected = fake_answer(true, "");
    EXPECT_EQ(answer.status, expected.status);
    EXPECT_EQ(answer.content_type, expected.content_type);
    EXPECT_EQ(answer.body, expected.body);
    const auto paid = local_orders().get(alice_, order.order_no);
    ASSERT_TRUE(paid.ok());
    EXPECT_EQ(paid->status, OrderStatus::kPaid);
    EXPECT_EQ(paid->pay_type, domain::PayType::kWechat);
}

TEST_F(OrderContractTest, WithoutAProviderPaymentsAreNotConfiguredAndNotificationsAnsweredByTheService) {
    auto& strict = strict_side();
    const auto order = placed(alice_, atlas_, 1);
    const auto start = strict.payments.start(alice_, order.order_no, "203.0.113.7");
    ASSERT_FALSE(start.ok());
    EXPECT_EQ(start.error().code, ErrorCode::kPaymentNotConfigured);
    EXPECT_EQ(strict.payments.query(alice_, order.order_no).error().code, ErrorCode::kPaymentNotConfigured);
    EXPECT_EQ(strict.payments.refund(alice_, order.order_no, 1).error().code, ErrorCode::kPaymentNotConfigured);

    const ports::IncomingNotification incoming{{{"content-type", "application/json"}}, "{}"};
    const auto answer = strict.payments.handle_notification(incoming);
    const auto in_process = other_side_->payment_service.handle_notification(incoming);
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.status, in_process.status);
    EXPECT_EQ(answer.content_type, in_process.content_type);
    EXPECT_EQ(answer.body, in_process.body);
    // configured() is the gateway's own setting, answered without a call.
    EXPECT_TRUE(strict.payments.configured());
    ports::SystemClock clock;
    ports::NullMetrics metrics;
    InstancePool nowhere(registry_, "order", services::BreakerSettings{}, clock, metrics, PaymentClient::make_stubs);
    EXPECT_FALSE(PaymentClient(nowhere, PaymentClientSettings{kSecret, 5s, false}).configured());
}

TEST_F(OrderContractTest, ACallerWithoutThePeerSecretIsRefusedAndChangesNothing) {
    const auto order = placed(alice_, atlas_, 1);
    for (const std::string secret : {"", "not-the-secret-of-this-shop-at-all"}) {
        SCOPED_TRACE("secret '" + secret + "'");
        auto& stranger = *gateways_.emplace_back(make_gateway(secret, {served_->address()}));
        const auto created = stranger.orders.create(alice_, atlas_, 1);
        ASSERT_FALSE(created.ok());
        EXPECT_EQ(created.error().code, ErrorCode::kInternal);  // a deployment mistake, not the shopper's
        EXPECT_EQ(local_orders().list_all(std::nullopt, 1, 20).total, 1);

        EXPECT_EQ(stranger.orders.cancel(alice_, order.order_no).error().code, ErrorCode::kInternal);
        EXPECT_EQ(stranger.payments.start(alice_, order.order_no, "203.0.113.7").error().code, ErrorCode::kInternal);
        EXPECT_EQ(local_orders().get(alice_, order.order_no)->status, OrderStatus::kAwaitingPayment);
        EXPECT_FALSE(local_payments().view(alice_, order.order_no)->latest.has_value());

        EXPECT_FALSE(stranger.orders.get(alice_, order.order_no).ok());
        EXPECT_THROW(stranger.orders.list(alice_, std::nullopt, 1, 20), std::runtime_error);
        EXPECT_THROW(stranger.orders.list_all(std::nullopt, 1, 20), std::runtime_error);
        EXPECT_THROW(stranger.payments.handle_notification({{}, "{}"}), std::runtime_error);
        EXPECT_TRUE(provider_.received().empty());
    }

    // Straight through the stub, with the secret but without a user: refused, nothing placed.
    auto stub = v1::OrderService::NewStub(grpc::CreateChannel(served_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    prepare_context(context, OutgoingCall{5s, std::nullopt, {}}, kSecret);
    v1::CreateOrderRequest request;
    request.set_product_id(atlas_);
    request.set_quantity(1);
    v1::Order placed_order;
    const auto status = stub->CreateOrder(&context, request, &placed_order);
    EXPECT_EQ(from_grpc_status(status).code, ErrorCode::kUnauthorized);
    EXPECT_EQ(local_orders().list_all(std::nullopt, 1, 20).total, 1);
}

TEST_F(OrderContractTest, WithNoInstanceCallsAreUnavailableWithARetryAfter) {
    auto& alone = *gateways_.emplace_back(make_gateway(kSecret, {}));
    const auto read = alone.orders.get(alice_, "ORD1");
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(read.error().retry_after, kTransportRetryAfter);

    const auto created = alone.orders.create(alice_, atlas_, 1);
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(created.error().retry_after, kTransportRetryAfter);
    const auto started = alone.payments.start(alice_, "ORD1", "203.0.113.7");
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(started.error().retry_after, kTransportRetryAfter);

    try {
        alone.orders.list(alice_, std::nullopt, 1, 20);
        ADD_FAILURE() << "a listing without an instance must throw";
    } catch (const DependencyUnavailable& unavailable) {
        EXPECT_EQ(unavailable.retry_after(), kTransportRetryAfter);
    }
    EXPECT_THROW(alone.orders.list_all(std::nullopt, 1, 20), DependencyUnavailable);

    // The provider is told to come back later, in the order service's own words for it.
    const auto answer = alone.payments.handle_notification({{{"content-type", "application/json"}}, "{}"});
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.content_type, "application/json");
    EXPECT_NE(answer.body.find(R"("code":"FAIL")"), std::string::npos);
    EXPECT_TRUE(provider_.received().empty());
}

TEST_F(OrderContractTest, AReadIsTriedOnASecondInstanceWhenTheFirstIsUnreachable) {
    const auto order = placed(alice_, atlas_, 1);
    // Port 1 on loopback refuses connections: a dead instance listed beside the live one. Round
    // robin sends every other first attempt to it; each read must still be answered.
    auto& half = *gateways_.emplace_back(make_gateway(kSecret, {"127.0.0.1:1", served_->address()}));
    for (int i = 0; i < 4; ++i) {
        const auto read = half.orders.get(alice_, order.order_no);
        ASSERT_TRUE(read.ok()) << read.error().message;
        EXPECT_EQ(read->order_no, order.order_no);
        EXPECT_TRUE(half.orders.get_any(order.order_no).ok());
        EXPECT_EQ(half.orders.list(alice_, std::nullopt, 1, 20).total, 1);
        EXPECT_EQ(half.orders.list_all(std::nullopt, 1, 20).total, 1);
        const auto view = half.payments.view(alice_, order.order_no);
        ASSERT_TRUE(view.ok()) << view.error().message;
        EXPECT_TRUE(half.payments.view(0, order.order_no).ok());
    }
}

TEST_F(OrderContractTest, AChangeIsNotRepeatedOnASecondInstance) {
    // The same pair: a create whose first pick is the dead instance fails rather than being sent
    // to the live one (a lost answer may hide a placed order). Every create that succeeded placed
    // exactly one order.
    auto& half = *gateways_.emplace_back(make_gateway(kSecret, {"127.0.0.1:1", served_->address()}));
    int placed_orders = 0;
    int refused = 0;
    for (int i = 0; i < 4; ++i) {
        const auto created = half.orders.create(alice_, atlas_, 1);
        if (created.ok()) {
            ++placed_orders;
        } else {
            EXPECT_EQ(created.error().code, ErrorCode::kUnavailable);
            ++refused;
        }
    }
    EXPECT_GE(refused, 1);
    EXPECT_EQ(local_orders().list_all(std::nullopt, 1, 20).total, placed_orders);
}

}  // namespace
}  // namespace gomall::rpc
