// The stock an order takes when orders and the catalogue are separate services, over gRPC: the
// catalogue's reservations (SqlStockReservations served as gomall.v1.StockService, called through
// StockClient on a loopback port) and the order side's reservation-with-compensation flow
// (ReservingOrderRepository over SqlOrderPlacementStore), with the units of cancelled flash-sale
// orders given back through the flash sale, on SQLite and, when configured, MariaDB.
// Between the order side and the client sits a "network" that can lose answers or be away.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "adapters/memory/memory_service_registry.hpp"
#include "adapters/sql/cart_repository.hpp"
#include "adapters/sql/flash_sale_order_outbox.hpp"
#include "adapters/sql/flash_sale_order_store.hpp"
#include "adapters/sql/order_placement_store.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/seckill_repository.hpp"
#include "adapters/sql/stock_reservations.hpp"
#include "adapters/sql/user_repository.hpp"
#include "gomall/v1/catalog.grpc.pb.h"
#include "ports/metrics.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/catalog_client.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/stock_client.hpp"
#include "rpc/stock_server.hpp"
#include "services/reserving_order_repository.hpp"
#include "services/seckill_unit_returns.hpp"
#include "unit/adapters/sql_test_database.hpp"

namespace gomall::rpc {
namespace {

using adapters::sql::testing::Backend;
using adapters::sql::testing::backend_name;
using namespace adapters::sql;
using namespace std::chrono_literals;

const TimePoint kNow = from_unix_seconds(1'800'000'000);
constexpr const char* kSecret = "contract-test-secret-of-the-stock";

class ManualClock final : public ports::Clock {
public:
    TimePoint now() const override { return now_; }
    void advance(std::chrono::seconds by) { now_ += by; }

private:
    TimePoint now_ = kNow;
};

/// The catalogue as the order side reaches it over a network: it may be away (nothing happens,
/// kUnavailable) or lose the answer of a reserve it carried out.
class FlakyCatalogue final : public ports::StockReservations {
public:
    explicit FlakyCatalogue(ports::StockReservations& real) : real_(real) {}

    Result<std::vector<domain::OrderItem>> reserve(const ports::StockRequest& request) override {
        if (away) {
            return unavailable();
        }
        auto answer = real_.reserve(request);
        if (lose_reserve_answers) {
            return unavailable();
        }
        return answer;
    }
    Result<std::vector<domain::OrderItem>> release(const std::string& order_no) override {
        if (away) {
            return unavailable();
        }
        return real_.release(order_no);
    }

    bool away = false;
    bool lose_reserve_answers = false;

private:
    static Error unavailable() { return make_error(ErrorCode::kUnavailable, "the catalogue service is unavailable"); }
    ports::StockReservations& real_;
};

/// The gate's side of a returned unit, as the seckill service's results would take it: counted.
class CountingGateReturns final : public ports::FlashSaleReturns {
public:
    void order_cancelled(std::int64_t /*activity_id*/, std::int64_t /*user_id*/, const std::string& order_no) override {
        returned.push_back(order_no);
    }
    std::vector<std::string> returned;
};

/// The seckill service as the order side reaches it over a network that may be away.
class FlakyFlashSale final : public ports::FlashSaleUnitReturns {
public:
    explicit FlakyFlashSale(ports::FlashSaleUnitReturns& real) : real_(real) {}
    Result<bool> return_unit(const std::string& order_no) override {
        ++calls;
        if (away) {
            return make_error(ErrorCode::kUnavailable, "the flash sale is unavailable");
        }
        return real_.return_unit(order_no);
    }
    bool away = false;
    int calls = 0;

private:
    ports::FlashSaleUnitReturns& real_;
};

class StockReservationTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (!test_db_.open(GetParam(), 4)) {
            GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
        }
        db_ = test_db_.get();
        SqlUserRepository users(*db_);
        user_ = users.create({"ria", "ria@example.com", "", "hash", domain::Role::kShopper}, kNow).value_or(0);
        phone_ = make_product("phone", 599900, 5);
        pen_ = make_product("pen", 300, 5);
        stock_ = std::make_unique<SqlStockReservations>(*db_, clock_);
        server_side_ = std::make_unique<StockServer>(*stock_, StockServerSettings{kSecret, blocking_.get_executor()});
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
        server_side_->register_with(builder);
        server_ = builder.BuildAndStart();
        ASSERT_NE(server_, nullptr);
        pool_ = std::make_unique<InstancePool>(
            registry_, "catalog", services::BreakerSettings{}, system_clock_, metrics_, ProductClient::make_stubs
        );
        pool_->update({ports::ServiceInstance{"catalog", "one", "127.0.0.1:" + std::to_string(port_), 1, {}}});
        client_ = std::make_unique<StockClient>(*pool_, StockClientSettings{kSecret, 5s});
        catalogue_ = std::make_unique<FlakyCatalogue>(*client_);
        orders_ = std::make_unique<SqlOrderRepository>(*db_);
        placements_ = std::make_unique<SqlOrderPlacementStore>(*db_);
        reserving_ = std::make_unique<services::ReservingOrderRepository>(*orders_, *placements_, *catalogue_, clock_);
    }

    std::int64_t make_product(const std::string& name, Cents price, std::int64_t stock) {
        SqlProductRepository products(*db_);
        return products.create(
            {name, "about " + name, price, stock, 0, "/images/products/x.svg", domain::ProductStatus::kOnSale}, kNow
        );
    }

    std::int64_t stock_of(std::int64_t product) {
        SqlProductRepository products(*db_);
        return products.find(product).value_or(domain::Product{}).stock;
    }

    ports::StockRequest request(const std::string& order_no, std::vector<domain::OrderLineRequest> lines) const {
        return ports::StockRequest{order_no, user_, std::move(lines), false};
    }

    domain::OrderDraft draft(const std::string& order_no, std::vector<domain::OrderLineRequest> lines) const {
        return domain::OrderDraft{order_no, user_, std::move(lines), clock_.now(), clock_.now() + 15min, false};
    }

    void TearDown() override {
        if (server_) {
            server_->Shutdown(std::chrono::system_clock::now() + 1s);
        }
        blocking_.join();
    }

    /// The catalogue's reservations as the order side reaches them: through the client.
    ports::StockReservations& remote() { return *client_; }

    adapters::sql::testing::TestDatabase test_db_;
    Database* db_ = nullptr;
    ManualClock clock_;
    ports::SystemClock system_clock_;
    ports::NullMetrics metrics_;
    adapters::memory::MemoryServiceRegistry registry_;
    boost::asio::thread_pool blocking_{2};
    std::unique_ptr<StockServer> server_side_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
    std::unique_ptr<InstancePool> pool_;
    std::unique_ptr<StockClient> client_;
    std::int64_t user_ = 0, phone_ = 0, pen_ = 0;
    std::unique_ptr<SqlStockReservations> stock_;
    std::unique_ptr<FlakyCatalogue> catalogue_;
    std::unique_ptr<SqlOrderRepository> orders_;
    std::unique_ptr<SqlOrderPlacementStore> placements_;
    std::unique_ptr<services::ReservingOrderRepository> reserving_;
};

// ------------------------------------------------------------------ the catalogue's reservations

TEST_P(StockReservationTest, AReserveTakesStockOnceAndItsRetryAnswersTheSameLines) {
    auto first = remote().reserve(request("R1", {{phone_, 2}, {pen_, 1}}));
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->size(), 2U);
    EXPECT_EQ((*first)[0].product_name, "phone");
    EXPECT_EQ((*first)[0].unit_price, 599900);
    EXPECT_EQ((*first)[1].quantity, 1);
    EXPECT_EQ(stock_of(phone_), 3);

    auto retry = remote().reserve(request("R1", {{phone_, 2}, {pen_, 1}}));
    ASSERT_TRUE(retry) << retry.error().message;
    ASSERT_EQ(retry->size(), 2U);
    EXPECT_EQ((*retry)[0].product_id, phone_);
    EXPECT_EQ((*retry)[1].product_id, pen_);
    EXPECT_EQ(stock_of(phone_), 3);  // nothing taken twice
    EXPECT_EQ(stock_of(pen_), 4);
}

TEST_P(StockReservationTest, AReleaseGivesTheStockBackOnceAndTheNumberCannotReserveAgain) {
    ASSERT_TRUE(remote().reserve(request("R2", {{phone_, 2}})));
    ASSERT_TRUE(remote().release("R2").ok());
    EXPECT_EQ(stock_of(phone_), 5);
    ASSERT_TRUE(remote().release("R2").ok());
    EXPECT_EQ(stock_of(phone_), 5);  // not twice
    auto again = remote().reserve(request("R2", {{phone_, 2}}));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(stock_of(phone_), 5);
}

TEST_P(StockReservationTest, AReserveArrivingAfterItsReleaseIsRefused) {
    ASSERT_TRUE(remote().release("R3").ok());  // the order side gave up on a reserve it never heard of
    auto late = remote().reserve(request("R3", {{phone_, 1}}));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(stock_of(phone_), 5);
}

TEST_P(StockReservationTest, ARefusedReserveTakesAndRecordsNothing) {
    auto refused = remote().reserve(request("R4", {{pen_, 1}, {phone_, 6}}));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInsufficientStock);
    EXPECT_EQ(refused.error().field, std::to_string(phone_));
    EXPECT_EQ(stock_of(pen_), 5);
    // Nothing was recorded under the number: once there is stock, the same number can reserve.
    ASSERT_TRUE(remote().reserve(request("R4", {{pen_, 1}, {phone_, 5}})));
    EXPECT_EQ(stock_of(phone_), 0);
}

TEST_P(StockReservationTest, ACheckoutReserveTakesTheCartLinesWithTheStock) {
    SqlCartRepository carts(*db_);
    carts.add(user_, phone_, 2, 99, kNow);
    carts.add(user_, pen_, 1, 99, kNow);
    auto changed = remote().reserve(ports::StockRequest{"R5", user_, {{phone_, 3}}, true});
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::kNothingToCheckout);
    EXPECT_EQ(stock_of(phone_), 5);
    ASSERT_TRUE(remote().reserve(ports::StockRequest{"R6", user_, {{phone_, 2}}, true}));
    ASSERT_EQ(carts.list(user_).size(), 1U);
    EXPECT_EQ(carts.list(user_).front().product_id, pen_);
    EXPECT_EQ(stock_of(phone_), 3);
}

TEST_P(StockReservationTest, ConcurrentReservationsOfOneProductNeitherFailNorOversell) {
    // Many orders for one best seller at once: each claims its own number while all queue on the
    // product's row. A locking read of each missing number would deadlock them on MariaDB.
    const auto hot = make_product("hot", 100, 200);
    DatabaseSettings wide = test_db_.settings();
    wide.pool_size = 16;  // as many transactions at once as the catalogue's blocking pool runs
    Database db(wide);
    SqlStockReservations stock(db, clock_);
    std::atomic<int> reserved{0}, refused{0}, failed{0};
    std::vector<std::thread> shoppers;
    for (int t = 0; t < 16; ++t) {
        shoppers.emplace_back([&, t] {
            for (int i = 0; i < 15; ++i) {
                try {
                    auto r = stock.reserve(request("H" + std::to_string(t) + "-" + std::to_string(i), {{hot, 1}}));
                    (r.ok() ? reserved : refused)++;
                } catch (const std::exception&) {
                    failed++;
                }
            }
        });
    }
    for (auto& s : shoppers) {
        s.join();
    }
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(reserved.load(), 200);
    EXPECT_EQ(refused.load(), 40);
    EXPECT_EQ(stock_of(hot), 0);
}

TEST_P(StockReservationTest, ACallerWithoutThePeerSecretOrWithoutAShopperIsRefused) {
    StockClient stranger(*pool_, StockClientSettings{"not-the-secret-of-this-stock-service", 5s});
    auto refused = stranger.reserve(request("R7", {{phone_, 1}}));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInternal);  // a deployment mistake, not the shopper's
    EXPECT_FALSE(stranger.release("R7").ok());

    auto nobody = remote().reserve(ports::StockRequest{"R8", 0, {{phone_, 1}}, false});
    ASSERT_FALSE(nobody);
    EXPECT_EQ(nobody.error().code, ErrorCode::kUnauthorized);
    EXPECT_EQ(stock_of(phone_), 5);
}

TEST_P(StockReservationTest, WithNoInstanceTheCallsAreUnavailableWithARetryAfter) {
    pool_->update({});
    auto reserve = remote().reserve(request("R9", {{phone_, 1}}));
    ASSERT_FALSE(reserve);
    EXPECT_EQ(reserve.error().code, ErrorCode::kUnavailable);
    EXPECT_GT(reserve.error().retry_after.count(), 0);
    EXPECT_EQ(remote().release("R9").error().code, ErrorCode::kUnavailable);
}

// ------------------------------------------------------------------ the order side's flow

TEST_P(StockReservationTest, AnOrderPlacedThroughAReservationCarriesItsLinesAndItsCancelGivesStockBack) {
    auto placed = reserving_->place(draft("O1", {{phone_, 1}, {pen_, 2}}));
    ASSERT_TRUE(placed) << placed.error().message;
    EXPECT_EQ(placed->total_price, 599900 + 2 * 300);
    EXPECT_EQ(placed->status, domain::OrderStatus::kAwaitingPayment);
    auto stored = orders_->find("O1", user_);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->items.size(), 2U);
    EXPECT_EQ(stock_of(pen_), 3);
    EXPECT_TRUE(placements_->stale_placements(clock_.now() + 1h, 10).empty());

    ASSERT_TRUE(reserving_->cancel("O1", clock_.now()));
    EXPECT_EQ(stock_of(pen_), 5);
    EXPECT_EQ(stock_of(phone_), 5);
    EXPECT_TRUE(placements_->queued_releases(10).empty());
    EXPECT_FALSE(reserving_->cancel("O1", clock_.now()));  // once
    EXPECT_EQ(stock_of(pen_), 5);
}

TEST_P(StockReservationTest, ARefusedReservationLeavesNoOrderAndNoPlacement) {
    auto refused = reserving_->place(draft("O2", {{phone_, 9}}));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInsufficientStock);
    EXPECT_FALSE(orders_->find("O2", 0));
    EXPECT_TRUE(placements_->stale_placements(clock_.now() + 1h, 10).empty());
}

TEST_P(StockReservationTest, ACancelWhileTheCatalogueIsAwayGivesTheStockBackWhenItReturns) {
    ASSERT_TRUE(reserving_->place(draft("O3", {{phone_, 2}})));
    catalogue_->away = true;
    ASSERT_TRUE(reserving_->cancel("O3", clock_.now()));  // the cancel never waits for the catalogue
    EXPECT_EQ(orders_->find("O3", 0)->status, domain::OrderStatus::kCancelled);
    EXPECT_EQ(stock_of(phone_), 3);
    EXPECT_EQ(reserving_->recover(10), 0);
    EXPECT_EQ(placements_->queued_releases(10), std::vector<std::string>{"O3"});

    catalogue_->away = false;
    EXPECT_EQ(reserving_->recover(10), 1);
    EXPECT_EQ(stock_of(phone_), 5);
    EXPECT_TRUE(placements_->queued_releases(10).empty());
    EXPECT_EQ(reserving_->recover(10), 0);
    EXPECT_EQ(stock_of(phone_), 5);
}

TEST_P(StockReservationTest, AFlashSaleOrdersUnitGoesBackThroughTheFlashSaleOnceEvenWhenItWasAway) {
    // A flash-sale order as services mode makes it: the seckill side's unit and outbox row, then
    // the order service's intake.
    SqlSeckillRepository seckill(*db_, FlashSaleOrders::kToOutbox);
    domain::SeckillActivity activity;
    activity.product_id = phone_;
    activity.product_name = "phone";  // the snapshot the seckill service takes from the catalogue
    activity.price = 99900;
    activity.total_stock = 3;
    activity.start_time = kNow - 1min;
    activity.end_time = kNow + 1h;
    activity.per_user_limit = 3;
    activity.id = seckill.create_activity(activity, kNow);
    int seq = 0;
    const auto buy = [&](const std::string& order_no) {
        domain::Reservation r;
        r.id = "r-" + order_no;
        r.activity_id = activity.id;
        r.user_id = user_;
        r.seq = ++seq;
        r.price = 99900;
        r.reserved_at = kNow;
        auto out = seckill.fulfil({r}, kNow, kNow + 15min, [&] { return order_no; });
        EXPECT_EQ(out[0].status, domain::ReservationStatus::kSucceeded) << out[0].fail_reason;
        SqlFlashSaleOrderOutbox outbox(*db_);
        EXPECT_TRUE(SqlFlashSaleOrderStore(*db_).accept(outbox.find({order_no})).ok());
        outbox.remove({order_no});
    };
    buy("F1");
    buy("F2");
    buy("F3");
    ASSERT_EQ(seckill.sold(activity.id), 3);
    CountingGateReturns gate;
    services::SeckillUnitReturns units(seckill, gate, clock_);
    FlakyFlashSale flash_sale(units);
    reserving_->return_flash_sale_units_through(flash_sale);

    ASSERT_TRUE(reserving_->cancel("F1", clock_.now()));
    EXPECT_EQ(seckill.sold(activity.id), 2);
    EXPECT_EQ(gate.returned, std::vector<std::string>{"F1"});
    EXPECT_TRUE(placements_->queued_releases(10).empty());
    EXPECT_EQ(stock_of(phone_), 5) << "a flash-sale unit is not the catalogue's stock";

    // The seckill service away: the cancels still answer, the units wait in the queue.
    flash_sale.away = true;
    ASSERT_TRUE(reserving_->cancel("F2", clock_.now()));
    ASSERT_TRUE(reserving_->cancel("F3", clock_.now()));
    EXPECT_EQ(orders_->find("F2", 0)->status, domain::OrderStatus::kCancelled);
    EXPECT_EQ(seckill.sold(activity.id), 2) << "the order side does not touch the flash sale's tables";
    EXPECT_EQ(placements_->queued_releases(10).size(), 2U);
    // An ordinary order's release queued meanwhile, while the catalogue was away too.
    ASSERT_TRUE(reserving_->place(draft("O7", {{pen_, 2}})));
    catalogue_->away = true;
    ASSERT_TRUE(reserving_->cancel("O7", clock_.now()));
    catalogue_->away = false;
    // One sweep: one call finds the flash sale away and the other unit is not sent after it; the
    // catalogue's release, queued behind them, still goes.
    const int calls_before = flash_sale.calls;
    EXPECT_EQ(reserving_->recover(10), 1);
    EXPECT_EQ(flash_sale.calls, calls_before + 1);
    EXPECT_EQ(stock_of(pen_), 5);
    EXPECT_EQ(placements_->queued_releases(10).size(), 2U);

    flash_sale.away = false;
    EXPECT_EQ(reserving_->recover(10), 2);
    EXPECT_EQ(seckill.sold(activity.id), 0);
    EXPECT_EQ(gate.returned, (std::vector<std::string>{"F1", "F2", "F3"}));
    EXPECT_EQ(seckill.reservations_of(activity.id, user_).front().status, domain::ReservationStatus::kReleased);
    // A return sent again (a lost answer) gives nothing more.
    EXPECT_FALSE(units.return_unit("F2").value());
    EXPECT_EQ(seckill.sold(activity.id), 0);
    EXPECT_EQ(gate.returned.size(), 3U);
    EXPECT_EQ(stock_of(phone_), 5);
}

TEST_P(StockReservationTest, AReserveWhoseAnswerWasLostIsReleasedAtOnceAndNoOrderIsWritten) {
    catalogue_->lose_reserve_answers = true;
    auto lost = reserving_->place(draft("O4", {{phone_, 2}}));
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(stock_of(phone_), 5);  // taken by the catalogue, then released by the order side
    EXPECT_FALSE(orders_->find("O4", 0));
    EXPECT_TRUE(placements_->stale_placements(clock_.now() + 1h, 10).empty());
}

TEST_P(StockReservationTest, AnUnfinishedPlacementIsReleasedByTheSweeperOnlyOnceItIsStale) {
    // The process died between the catalogue's answer and the order's write.
    placements_->begin_placement("O5", user_, clock_.now());
    ASSERT_TRUE(stock_->reserve(request("O5", {{phone_, 2}})));
    EXPECT_EQ(stock_of(phone_), 3);

    clock_.advance(5s);
    EXPECT_EQ(reserving_->recover(10), 0);  // a placing request could still be running
    EXPECT_EQ(stock_of(phone_), 3);
    catalogue_->away = true;
    clock_.advance(60s);
    EXPECT_EQ(reserving_->recover(10), 0);  // the catalogue is away: kept for the next sweep
    catalogue_->away = false;
    EXPECT_EQ(reserving_->recover(10), 1);
    EXPECT_EQ(stock_of(phone_), 5);

    // Had the placing request come back now, it could not write an order for the released stock.
    domain::Order late = domain::awaiting_payment(draft("O5", {}), {{phone_, "phone", "", 2, 599900}});
    EXPECT_FALSE(placements_->finish_placement(late));
    EXPECT_FALSE(orders_->find("O5", 0));
}

TEST_P(StockReservationTest, AReserveLostWhileTheCatalogueGoesAwayIsReleasedLater) {
    catalogue_->lose_reserve_answers = true;
    placements_->begin_placement("O6", user_, clock_.now());
    ASSERT_FALSE(catalogue_->reserve(request("O6", {{pen_, 4}})));  // taken, answer lost
    catalogue_->lose_reserve_answers = false;
    catalogue_->away = true;
    clock_.advance(31s);
    EXPECT_EQ(reserving_->recover(10), 0);
    EXPECT_EQ(stock_of(pen_), 1);
    catalogue_->away = false;
    EXPECT_EQ(reserving_->recover(10), 1);
    EXPECT_EQ(stock_of(pen_), 5);
    EXPECT_FALSE(orders_->find("O6", 0));
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StockReservationTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

}  // namespace
}  // namespace gomall::rpc
