// Contract tests of the flash-sale order intake over gRPC: FlashSaleOrderClient (and the generated
// stubs) against a real gRPC server on a loopback port serving the SQL intake on SQLite in a
// temporary file, and the whole way of an order in services mode: the seckill writer's outbox, the
// relay, the wire, the order tables.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "adapters/memory/memory_service_registry.hpp"
#include "adapters/sql/flash_sale_order_outbox.hpp"
#include "adapters/sql/flash_sale_order_store.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/seckill_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "rpc/flash_sale_order_client.hpp"
#include "rpc/flash_sale_order_server.hpp"
#include "rpc/order_client.hpp"
#include "services/flash_sale_order_relay.hpp"
#include "unit/rpc/temp_sqlite_database.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "contract-test-secret-of-the-flash-sale-orders";

/// The order role's intake on a loopback port.
struct Served {
    Served(ports::FlashSaleOrderIntake& intake, const boost::asio::any_io_executor& blocking)
        : server_side(intake, FlashSaleOrderServerSettings{kSecret, blocking}) {
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

    FlashSaleOrderServer server_side;
    int port = 0;
    std::unique_ptr<grpc::Server> server;
};

/// What a seckill instance runs: a pool of the order role's instances and the client.
struct SeckillSide {
    SeckillSide(ports::ServiceRegistry& registry, const std::vector<int>& ports, const std::string& secret)
        : pool(registry, "order", services::BreakerSettings{}, clock, metrics, OrderClient::make_stubs),
          client(pool, FlashSaleOrderClientSettings{secret, 5s}) {
        ports::InstanceSet instances;
        for (int port : ports) {
            instances.push_back(ports::ServiceInstance{
                "order", "i" + std::to_string(port), "127.0.0.1:" + std::to_string(port), 1, {}});
        }
        pool.update(instances);
    }

    ports::SystemClock clock;
    ports::NullMetrics metrics;
    InstancePool pool;
    FlashSaleOrderClient client;
};

class FlashSaleOrderContractTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_support::TempSqliteDatabase>("gomall-flash-order-rpc-test");
        store_ = std::make_unique<adapters::sql::SqlFlashSaleOrderStore>(**db_);
        served_ = std::make_unique<Served>(*store_, blocking_.get_executor());
        ASSERT_NE(served_->server, nullptr);
        adapters::sql::SqlUserRepository users(**db_);
        shopper_ = users.create({"fay", "fay@example.com", "", "hash", domain::Role::kShopper}, clock_.now()).value();
        adapters::sql::SqlProductRepository products(**db_);
        product_ = products.create(
            {"globe", "a globe", 12'900, 10, 0, "/images/globe.svg", domain::ProductStatus::kOnSale}, clock_.now()
        );
    }

    void TearDown() override {
        served_.reset();
        blocking_.join();
        store_.reset();
        db_.reset();
    }

    domain::Order order(const std::string& order_no) const {
        domain::Reservation won;
        won.order_no = order_no;
        won.activity_id = 4;
        won.user_id = shopper_;
        won.product_id = product_;
        won.price = 4'900;
        const auto at = from_unix_seconds(1'800'000'000);
        return domain::flash_sale_order(won, "globe", "/images/globe.svg", at, at + 15min);
    }

    std::unique_ptr<SeckillSide> seckill_side(const std::string& secret = kSecret) {
        return std::make_unique<SeckillSide>(registry_, std::vector<int>{served_->port}, secret);
    }

    ports::SystemClock clock_;
    adapters::memory::MemoryServiceRegistry registry_;
    std::unique_ptr<test_support::TempSqliteDatabase> db_;
    std::unique_ptr<adapters::sql::SqlFlashSaleOrderStore> store_;
    boost::asio::thread_pool blocking_{2};
    std::unique_ptr<Served> served_;
    std::int64_t shopper_ = 0;
    std::int64_t product_ = 0;
};

TEST_F(FlashSaleOrderContractTest, EveryFieldArrivesAndAnOrderIsCreatedOnce) {
    auto side = seckill_side();
    const auto sent = order("ORD20261206000000001");
    const auto first = side->client.accept({sent});
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first.value(), 1);
    EXPECT_EQ(side->client.accept({sent, order("ORD20261206000000002")}).value(), 1);

    adapters::sql::SqlOrderRepository orders(**db_);
    const auto stored = orders.find(sent.order_no, shopper_);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->user_id, sent.user_id);
    EXPECT_EQ(stored->product_id, sent.product_id);
    EXPECT_EQ(stored->product_name, sent.product_name);
    EXPECT_EQ(stored->product_image, sent.product_image);
    EXPECT_EQ(stored->quantity, 1);
    EXPECT_EQ(stored->total_price, 4'900);
    EXPECT_EQ(stored->seckill_activity_id, 4);
    EXPECT_EQ(stored->status, domain::OrderStatus::kAwaitingPayment);
    EXPECT_EQ(stored->created_at, sent.created_at);
    EXPECT_EQ(stored->expires_at, sent.expires_at);
    ASSERT_EQ(stored->items.size(), 1U);
    EXPECT_EQ(stored->items[0].unit_price, 4'900);
}

TEST_F(FlashSaleOrderContractTest, AMalformedBatchIsRefusedWithItsFieldAndCreatesNothing) {
    auto side = seckill_side();
    auto bad = order("ORD2");
    bad.seckill_activity_id = 0;
    const auto refused = side->client.accept({order("ORD1"), bad});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(refused.error().field, "orders[1]");
    adapters::sql::SqlOrderRepository orders(**db_);
    EXPECT_FALSE(orders.find("ORD1", shopper_));
}

TEST_F(FlashSaleOrderContractTest, ACallerWithoutThePeerSecretIsRefusedAndNoInstanceIsUnavailable) {
    for (const std::string secret : {"", "not-the-secret-of-this-shop-at-all"}) {
        SCOPED_TRACE("secret '" + secret + "'");
        auto stranger = seckill_side(secret);
        const auto refused = stranger->client.accept({order("ORD9")});
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().code, ErrorCode::kInternal);
    }
    adapters::sql::SqlOrderRepository orders(**db_);
    EXPECT_FALSE(orders.find("ORD9", shopper_));

    SeckillSide nowhere(registry_, {}, kSecret);
    const auto away = nowhere.client.accept({order("ORD9")});
    ASSERT_FALSE(away.ok());
    EXPECT_EQ(away.error().code, ErrorCode::kUnavailable);
}

TEST_F(FlashSaleOrderContractTest, AGrantedUnitBecomesAnOrderThroughTheOutboxAndTheRelay) {
    // The seckill side on the same file (one database in the test; the tables are apart).
    adapters::sql::SqlSeckillRepository seckill(**db_, adapters::sql::FlashSaleOrders::kToOutbox);
    domain::SeckillActivity activity;
    activity.product_id = product_;
    activity.product_name = "globe";  // the snapshot the seckill service takes from the catalogue
    activity.price = 4'900;
    activity.total_stock = 3;
    activity.start_time = clock_.now() - 1min;
    activity.end_time = clock_.now() + 1h;
    activity.id = seckill.create_activity(activity, clock_.now());
    adapters::sql::SqlFlashSaleOrderOutbox outbox(**db_);
    auto side = seckill_side();
    services::FlashSaleOrderRelay relay(outbox, side->client, clock_, {20ms, 5s, 100});

    domain::Reservation r;
    r.id = "r1";
    r.activity_id = activity.id;
    r.product_id = product_;
    r.user_id = shopper_;
    r.price = 4'900;
    r.reserved_at = clock_.now();
    auto out = seckill.fulfil({r}, clock_.now(), clock_.now() + 15min, [] { return std::string("ORD77"); });
    ASSERT_EQ(out[0].status, domain::ReservationStatus::kSucceeded);
    // Until it is handed over, the shopper's reservation reads as queued.
    EXPECT_EQ(seckill.reservations_of(activity.id, shopper_).front().status, domain::ReservationStatus::kPending);
    relay.hand_over(out);
    EXPECT_EQ(out[0].status, domain::ReservationStatus::kSucceeded);
    EXPECT_EQ(seckill.reservations_of(activity.id, shopper_).front().order_no, "ORD77");

    adapters::sql::SqlOrderRepository orders(**db_);
    const auto arrived = orders.find("ORD77", shopper_);
    ASSERT_TRUE(arrived);
    EXPECT_EQ(arrived->seckill_activity_id, activity.id);
    EXPECT_EQ(arrived->product_name, "globe");
    EXPECT_EQ(outbox.waiting(), 0);
    EXPECT_EQ(relay.counters().handed_over.load(), 1U);
}

}  // namespace
}  // namespace gomall::rpc
