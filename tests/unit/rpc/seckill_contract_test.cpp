// Contract tests of the flash sale over gRPC: SeckillClient (and the generated stubs) against a
// real gRPC server on a loopback port, serving the real in-process flash sale on the embedded
// adapters (in-memory stock gate, group-commit queue, SQLite in a temporary file). What a caller
// sees through the client must be what it would see in process.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>

#include "adapters/memory/embedded_reservation_queue.hpp"
#include "adapters/memory/in_memory_seckill_token_store.hpp"
#include "adapters/memory/in_memory_stock_gate.hpp"
#include "adapters/memory/memory_service_registry.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/migrations.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/seckill_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "core/unavailable.hpp"
#include "gomall/v1/seckill.grpc.pb.h"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/purchase_batch_runner.hpp"
#include "rpc/seckill_client.hpp"
#include "rpc/seckill_server.hpp"
#include "rpc/status_mapping.hpp"
#include "services/local_purchase_rate_limiter.hpp"
#include "services/product_lookups.hpp"
#include "services/seckill_order_writer.hpp"
#include "services/seckill_service.hpp"
#include "services/seckill_unit_returns.hpp"
#include "unit/rpc/temp_sqlite_database.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr const char* kSecret = "contract-test-secret";

/// The in-process flash sale of embedded mode and the adapters it runs on.
struct EmbeddedFlashSale {
    adapters::memory::InMemoryStockGate gate;
    std::unique_ptr<services::SeckillOrderWriter> writer;
    std::unique_ptr<adapters::memory::EmbeddedReservationQueue> queue;
    std::unique_ptr<services::LocalPurchaseRateLimiter> limiter;
    adapters::memory::InMemorySeckillTokenStore tokens;
    std::unique_ptr<services::StoredProductLookup> product_lookup;
    std::unique_ptr<services::SeckillService> service;
    std::unique_ptr<services::SeckillUnitReturns> unit_returns;

    ~EmbeddedFlashSale() {
        if (queue) {
            queue->stop();
        }
    }
};

/// Builds the flash sale as embedded mode does. The one place that knows SeckillService's
/// constructor: adapt it here when that changes.
std::unique_ptr<EmbeddedFlashSale> build_flash_sale(
    ports::SeckillRepository& repository,
    ports::ProductRepository& products,
    const ports::Clock& clock,
    const asio::any_io_executor& executor
) {
    auto sale = std::make_unique<EmbeddedFlashSale>();
    auto order_seq = std::make_shared<std::atomic<int>>(0);
    sale->writer = std::make_unique<services::SeckillOrderWriter>(repository, clock, 900s, [order_seq] {
        return "ORDRPC" + std::to_string(++*order_seq);
    });
    adapters::memory::EmbeddedQueueSettings queue_settings;
    queue_settings.linger = 0us;
    sale->queue = std::make_unique<adapters::memory::EmbeddedReservationQueue>(*sale->writer, queue_settings);
    sale->limiter =
        std::make_unique<services::LocalPurchaseRateLimiter>(clock, services::RateLimitSettings{1000.0, 1000.0, 1000});
    sale->product_lookup = std::make_unique<services::StoredProductLookup>(products);
    sale->service = std::make_unique<services::SeckillService>(
        repository,
        *sale->product_lookup,
        sale->gate,
        *sale->queue,
        *sale->limiter,
        sale->tokens,
        clock,
        services::SeckillSettings{},
        executor
    );
    sale->unit_returns = std::make_unique<services::SeckillUnitReturns>(repository, sale->service->returns(), clock);
    sale->queue->start();
    sale->service->recovery().recover();
    return sale;
}

class SeckillContractTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_support::TempSqliteDatabase>("gomall-rpc-test");
        products_ = std::make_unique<adapters::sql::SqlProductRepository>(**db_);
        seckill_ = std::make_unique<adapters::sql::SqlSeckillRepository>(**db_);
        adapters::sql::SqlUserRepository users(**db_);
        for (const char* name : {"alice", "bob", "carol"}) {
            domain::NewUser user;
            user.username = name;
            user.password_hash = "hash";
            shoppers_.push_back(users.create(user, clock_.now()).value());
        }
        product_ = products_->create({"phone", "", 599900, 10, 0, "", domain::ProductStatus::kOnSale}, clock_.now());

        for (int i = 0; i < 2; ++i) {
            io_threads_.emplace_back([this] { io_.run(); });
        }
        sale_ = build_flash_sale(*seckill_, *products_, clock_, io_.get_executor());
        start_server();
        client_ = make_client(kSecret);
    }

    void TearDown() override {
        client_.reset();
        if (server_) {
            server_->Shutdown(std::chrono::system_clock::now() + 1s);
        }
        server_.reset();
        rpc_services_.reset();
        blocking_.join();
        work_.reset();
        for (auto& thread : io_threads_) {
            thread.join();
        }
        sale_.reset();
        seckill_.reset();
        products_.reset();
        db_.reset();
    }

    void start_server() {
        services::FlashSaleApi api = sale_->service->api();
        rpc_services_ = std::make_unique<SeckillServer>(
            api, *sale_->unit_returns, SeckillServerSettings{kSecret, io_.get_executor(), blocking_.get_executor()}
        );
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
        rpc_services_->register_with(builder);
        server_ = builder.BuildAndStart();
        ASSERT_NE(server_, nullptr);
        ASSERT_GT(port_, 0);
    }

    std::shared_ptr<grpc::Channel> channel() const {
        return grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials());
    }

    /// A client whose pool holds the one server of the test (as the registry would list it).
    std::unique_ptr<SeckillClient> make_client(std::string secret, std::chrono::milliseconds timeout = 5s) {
        auto pool = std::make_unique<InstancePool>(
            registry_, "seckill", services::BreakerSettings{}, clock_, no_metrics_, SeckillClient::make_stubs
        );
        pool->update({ports::ServiceInstance{"seckill", "one", "127.0.0.1:" + std::to_string(port_), 1, {}}});
        SeckillClientSettings settings;
        settings.peer_secret = std::move(secret);
        settings.call_timeout = timeout;
        auto client = std::make_unique<SeckillClient>(*pool, settings, io_.get_executor());
        pools_.push_back(std::move(pool));
        return client;
    }

    /// Runs `work` on the I/O threads and waits for it (wrapped: use_future needs a default-
    /// constructible value, which Result is not).
    template <class T>
    T run(asio::awaitable<T> work) {
        auto wrapped = [](asio::awaitable<T> inner) -> asio::awaitable<std::optional<T>> {
            co_return co_await std::move(inner);
        };
        return *asio::co_spawn(io_, wrapped(std::move(work)), asio::use_future).get();
    }

    services::ActivityView init(std::int64_t stock, services::NewActivity request = {}) {
        request.product_id = product_;
        request.stock = stock;
        auto created = client_->init(request);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return created.value();
    }

    Result<domain::Reservation> buy(std::int64_t user) { return run(client_->purchase(user, product_)); }

    ports::SystemClock clock_;
    ports::NullMetrics no_metrics_;
    adapters::memory::MemoryServiceRegistry registry_;
    std::vector<std::unique_ptr<InstancePool>> pools_;  // before the clients: they use them
    std::unique_ptr<test_support::TempSqliteDatabase> db_;
    std::unique_ptr<adapters::sql::SqlProductRepository> products_;
    std::unique_ptr<adapters::sql::SqlSeckillRepository> seckill_;
    std::vector<std::int64_t> shoppers_;
    std::int64_t product_ = 0;

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
    std::vector<std::thread> io_threads_;
    asio::thread_pool blocking_{2};
    std::unique_ptr<EmbeddedFlashSale> sale_;
    std::unique_ptr<SeckillServer> rpc_services_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
    std::unique_ptr<SeckillClient> client_;
};

TEST_F(SeckillContractTest, AnAdminCreatesAnActivityThroughTheClientAndReadsItBack) {
    const auto created = init(5);
    EXPECT_GT(created.activity.id, 0);
    EXPECT_EQ(created.activity.product_id, product_);
    EXPECT_EQ(created.activity.product_name, "phone");
    EXPECT_EQ(created.activity.price, 599900);
    EXPECT_EQ(created.remaining, 5);
    EXPECT_EQ(created.state, domain::ActivityState::kActive);

    const auto read = client_->get(created.activity.id);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->activity.total_stock, 5);

    const auto listed = client_->list(false);
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].activity.id, created.activity.id);

    const auto missing = client_->get(created.activity.id + 100);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kActivityNotFound);

    services::NewActivity again;
    again.product_id = product_;
    again.stock = 3;
    const auto refused = client_->init(again);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kActivityRunning);
}

TEST_F(SeckillContractTest, TheListingAndCachedReadsComeFromTheMirrorOfTheService) {
    EXPECT_TRUE(client_->listing().empty());
    const auto created = init(5);
    ASSERT_TRUE(run(client_->refresh()));

    const auto listing = client_->listing();
    ASSERT_EQ(listing.size(), 1U);
    EXPECT_EQ(listing[0].activity.id, created.activity.id);
    EXPECT_EQ(listing[0].remaining, 5);
    const auto cached = client_->cached(created.activity.id);
    ASSERT_TRUE(cached.has_value());
    EXPECT_EQ(cached->state, domain::ActivityState::kActive);
    EXPECT_FALSE(client_->cached(created.activity.id + 100).has_value());
    EXPECT_LT(std::chrono::abs(client_->now() - std::chrono::system_clock::now()), 1s);
}

TEST_F(SeckillContractTest, ASaleEndedAndReplacedThroughThisGatewaySellsTheNewOneAtOnce) {
    const auto first = init(5);
    ASSERT_TRUE(run(client_->refresh()));
    const auto ended = client_->end(first.activity.id);
    ASSERT_TRUE(ended.ok()) << ended.error().message;
    EXPECT_EQ(client_->cached(first.activity.id)->state, domain::ActivityState::kEnded);
    const auto second = init(3);
    // Before any refresh, the mirror holds both: the ended one must not answer for the product.
    const auto bought = buy(shoppers_[0]);
    ASSERT_TRUE(bought.ok()) << bought.error().message;
    EXPECT_EQ(bought->activity_id, second.activity.id);
}

TEST_F(SeckillContractTest, TheBackgroundRefreshPicksUpANewActivity) {
    client_->start();
    const auto created = init(5);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!client_->cached(created.activity.id) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(client_->cached(created.activity.id).has_value());
    client_->stop();
}

TEST_F(SeckillContractTest, APurchaseComesBackAsAReservation) {
    const auto created = init(5);
    const auto bought = buy(shoppers_[0]);
    ASSERT_TRUE(bought.ok()) << bought.error().message;
    EXPECT_FALSE(bought->id.empty());
    EXPECT_EQ(bought->activity_id, created.activity.id);
    EXPECT_EQ(bought->product_id, product_);
    EXPECT_EQ(bought->user_id, shoppers_[0]);
    EXPECT_EQ(bought->seq, 1);
    EXPECT_EQ(bought->price, 599900);
}

TEST_F(SeckillContractTest, LimitReachedAndSoldOutComeBackAsTheSameErrorCodes) {
    init(2);
    ASSERT_TRUE(buy(shoppers_[0]).ok());

    const auto again = buy(shoppers_[0]);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kLimitReached);

    ASSERT_TRUE(buy(shoppers_[1]).ok());
    const auto late = buy(shoppers_[2]);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, ErrorCode::kSoldOut);
    // The same refusal the in-process service gives.
    const auto direct = run(sale_->service->purchases().purchase(shoppers_[2], product_));
    ASSERT_FALSE(direct.ok());
    EXPECT_EQ(late.error().message, direct.error().message);

    ASSERT_TRUE(run(client_->refresh()));
    const auto from_memory = client_->refusal_from_memory(product_);
    ASSERT_TRUE(from_memory.has_value());
    EXPECT_EQ(from_memory->code, ErrorCode::kSoldOut);
}

TEST_F(SeckillContractTest, ASaleThatHasNotStartedIsRefusedFromTheMirror) {
    services::NewActivity later;
    later.start_time = clock_.now() + 1h;
    init(5, later);
    ASSERT_TRUE(run(client_->refresh()));
    const auto refused = client_->refusal_from_memory(product_);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->code, ErrorCode::kNotStarted);
    EXPECT_FALSE(client_->refusal_from_memory(product_ + 100).has_value());

    const auto bought = buy(shoppers_[0]);
    ASSERT_FALSE(bought.ok());
    EXPECT_EQ(bought.error().code, ErrorCode::kNotStarted);
}

TEST_F(SeckillContractTest, TheResultShowsTheOrderOnceItIsWritten) {
    init(5);
    const auto bought = buy(shoppers_[0]);
    ASSERT_TRUE(bought.ok()) << bought.error().message;

    Result<services::SeckillResult> result = client_->result(shoppers_[0], product_);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (result.ok() && result->status != "success" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        result = client_->result(shoppers_[0], product_);
    }
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->status, "success");
    ASSERT_EQ(result->reservations.size(), 1U);
    EXPECT_EQ(result->reservations[0].id, bought->id);
    EXPECT_EQ(result->reservations[0].status, domain::ReservationStatus::kSucceeded);
    EXPECT_EQ(result->reservations[0].order_no.rfind("ORDRPC", 0), 0U);

    const auto nobody = client_->result(shoppers_[1], product_ + 100);
    ASSERT_FALSE(nobody.ok());
    EXPECT_EQ(nobody.error().code, ErrorCode::kActivityNotFound);
}

TEST_F(SeckillContractTest, AWatchedResultIsMirroredForTheEventStream) {
    const auto created = init(5);
    ASSERT_TRUE(buy(shoppers_[0]).ok());
    client_->watch_result(shoppers_[0], created.activity.id);
    client_->start();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    auto cached = client_->cached_result(shoppers_[0], created.activity.id);
    while ((!cached || cached->status != "success") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        cached = client_->cached_result(shoppers_[0], created.activity.id);
    }
    ASSERT_TRUE(cached.has_value());
    EXPECT_EQ(cached->status, "success");
    client_->unwatch_result(shoppers_[0], created.activity.id);
    EXPECT_FALSE(client_->cached_result(shoppers_[0], created.activity.id).has_value());
    EXPECT_EQ(client_->metrics(), nullptr);
    client_->stop();
}

TEST_F(SeckillContractTest, AWrongOrMissingPeerSecretIsUnauthenticated) {
    const auto wrong = make_client("not-the-secret");
    services::NewActivity request;
    request.product_id = product_;
    request.stock = 5;
    const auto refused = wrong->init(request);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kInternal);  // a deployment fault, not the shopper's
    EXPECT_FALSE(wrong->get(1).ok());
    EXPECT_FALSE(run(wrong->refresh()));
    EXPECT_TRUE(client_->list(true).empty());  // nothing was created

    // The generated stub, without any metadata and with a wrong secret.
    auto stub = v1::FlashSaleAdmin::NewStub(channel());
    v1::ActivityRequest get;
    get.set_activity_id(1);
    v1::ActivityView view;
    grpc::ClientContext bare;
    EXPECT_EQ(stub->Get(&bare, get, &view).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext mistaken;
    mistaken.AddMetadata(std::string(kPeerSecretKey), "contract-test-secreT");
    EXPECT_EQ(stub->Get(&mistaken, get, &view).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext right;
    right.AddMetadata(std::string(kPeerSecretKey), kSecret);
    EXPECT_EQ(stub->Get(&right, get, &view).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(SeckillContractTest, APurchaseWithoutAUserIsUnauthorized) {
    init(5);
    auto stub = v1::FlashSalePurchases::NewStub(channel());
    v1::PurchaseRequest request;
    request.set_product_id(product_);
    v1::Reservation reservation;
    grpc::ClientContext context;
    context.AddMetadata(std::string(kPeerSecretKey), kSecret);
    const grpc::Status status = stub->Purchase(&context, request, &reservation);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(from_grpc_status(status).code, ErrorCode::kUnauthorized);
}

TEST_F(SeckillContractTest, ABatchAnswersEachPurchaseInItsOwnSlot) {
    const auto activity = init(2);
    auto stub = v1::FlashSalePurchases::NewStub(channel());
    // The purchases of a batch run at once, in no set order: the checks count outcomes, and check
    // that each slot answers its own item.
    const auto send = [&](const std::vector<std::int64_t>& users) {
        v1::PurchaseBatchRequest request;
        for (const auto user : users) {
            auto* item = request.add_items();
            item->set_user_id(user);
            item->set_product_id(product_);
            item->set_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        }
        v1::PurchaseBatchResponse response;
        grpc::ClientContext context;
        context.AddMetadata(std::string(kPeerSecretKey), kSecret);
        const grpc::Status status = stub->PurchaseBatch(&context, request, &response);
        EXPECT_TRUE(status.ok()) << status.error_message();
        EXPECT_EQ(response.outcomes_size(), request.items_size());
        std::map<ErrorCode, int> codes;
        for (int i = 0; i < response.outcomes_size(); ++i) {
            const auto& outcome = response.outcomes(i);
            if (outcome.has_reservation()) {
                EXPECT_EQ(outcome.reservation().user_id(), users[static_cast<std::size_t>(i)]);
                EXPECT_EQ(outcome.reservation().activity_id(), activity.activity.id);
                ++codes[ErrorCode::kOk];
            } else {
                ++codes[from_error_detail(outcome.error())->code];
            }
        }
        return codes;
    };
    // One shopper twice (limit 1) and an item that names nobody.
    auto first = send({shoppers_[0], shoppers_[0], 0});
    EXPECT_EQ(first[ErrorCode::kOk], 1);
    EXPECT_EQ(first[ErrorCode::kLimitReached], 1);
    EXPECT_EQ(first[ErrorCode::kUnauthorized], 1);
    // Two shoppers for the last unit.
    auto second = send({shoppers_[1], shoppers_[2]});
    EXPECT_EQ(second[ErrorCode::kOk], 1);
    EXPECT_EQ(second[ErrorCode::kSoldOut], 1);
}

TEST_F(SeckillContractTest, ABatchIsRefusedWithoutThePeerSecretOrWhenTooLarge) {
    const auto activity = init(5);
    auto stub = v1::FlashSalePurchases::NewStub(channel());
    v1::PurchaseBatchRequest request;
    request.add_items()->set_user_id(shoppers_[0]);
    request.mutable_items(0)->set_product_id(product_);
    {
        v1::PurchaseBatchResponse response;
        grpc::ClientContext context;
        EXPECT_EQ(stub->PurchaseBatch(&context, request, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }
    for (std::size_t i = 0; i < kMaxPurchaseBatch; ++i) {
        *request.add_items() = request.items(0);
    }
    v1::PurchaseBatchResponse response;
    grpc::ClientContext context;
    context.AddMetadata(std::string(kPeerSecretKey), kSecret);
    EXPECT_EQ(stub->PurchaseBatch(&context, request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(sale_->gate.available(activity.activity.id), 5) << "nothing of a refused batch took a unit";
}

TEST_F(SeckillContractTest, AStoppedServerGivesTheUnavailableErrorWithARetryAfter) {
    init(5);
    server_->Shutdown(std::chrono::system_clock::now() + 1s);
    server_->Wait();

    const auto read = client_->get(1);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(read.error().retry_after, 1s);

    // A purchase that reached no service reads as the in-process sale's "busy, try again".
    const auto bought = buy(shoppers_[0]);
    ASSERT_FALSE(bought.ok());
    EXPECT_EQ(bought.error().code, ErrorCode::kSeckillBusy);
    EXPECT_EQ(bought.error().retry_after, 1s);

    EXPECT_THROW(client_->list(false), DependencyUnavailable);
}

TEST_F(SeckillContractTest, AnInstanceThatKeepsFailingIsSkippedByItsBreaker) {
    init(5);
    server_->Shutdown(std::chrono::system_clock::now() + 1s);
    server_->Wait();
    // Five transport failures in a row open the instance's breaker (BreakerSettings' default)...
    for (int i = 0; i < 5; ++i) {
        (void)buy(shoppers_[0]);
    }
    // ...after which calls are refused at once, without waiting on the network.
    const auto started = std::chrono::steady_clock::now();
    const auto bought = buy(shoppers_[0]);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 50ms);
    ASSERT_FALSE(bought.ok());
    EXPECT_EQ(bought.error().code, ErrorCode::kSeckillBusy);
    EXPECT_EQ(pools_.front()->pick(), nullptr);
}

TEST_F(SeckillContractTest, ACancelledOrderReturnsItsUnitThroughTheServiceOnce) {
    const auto activity = init(1);
    ASSERT_TRUE(buy(shoppers_[0]).ok());
    const auto sold_out = buy(shoppers_[1]);
    ASSERT_FALSE(sold_out.ok());
    EXPECT_EQ(sold_out.error().code, ErrorCode::kSoldOut);
    // The order is written by the queue's writer: wait for its number.
    std::string order_no;
    const auto written = std::chrono::steady_clock::now() + 5s;
    while (order_no.empty() && std::chrono::steady_clock::now() < written) {
        for (const auto& r : seckill_->reservations_of(activity.activity.id, shoppers_[0])) {
            order_no = r.order_no;
        }
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_FALSE(order_no.empty());

    const auto returned = client_->return_unit(order_no);
    ASSERT_TRUE(returned.ok()) << returned.error().message;
    EXPECT_TRUE(returned.value());
    EXPECT_EQ(seckill_->sold(activity.activity.id), 0);
    EXPECT_EQ(
        seckill_->reservations_of(activity.activity.id, shoppers_[0]).front().status,
        domain::ReservationStatus::kReleased
    );
    // The gate's side runs on the service's executor: the unit is back on sale once it has.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (sale_->gate.available(activity.activity.id) != 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(sale_->gate.available(activity.activity.id), 1);

    // Sent again (its answer was lost): nothing more is given back.
    EXPECT_FALSE(client_->return_unit(order_no).value());
    EXPECT_FALSE(client_->return_unit("ORD-NOT-A-FLASH-SALE-ORDER").value());
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(sale_->gate.available(activity.activity.id), 1);
    EXPECT_EQ(seckill_->sold(activity.activity.id), 0);

    for (const std::string& bad : {std::string(), std::string("ORD 1"), std::string(33, '7')}) {
        const auto refused = client_->return_unit(bad);
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().code, ErrorCode::kBadRequest);
    }
}

TEST_F(SeckillContractTest, ACallPastItsDeadlineIsGivenUp) {
    // Every thread of the server's blocking pool is held, so an admin call cannot be answered.
    // Shared with the pool's tasks: a latch must outlive the threads still waking up from it.
    auto release = std::make_shared<std::latch>(1);
    auto held = std::make_shared<std::latch>(2);
    for (int i = 0; i < 2; ++i) {
        asio::post(blocking_, [release, held] {
            held->count_down();
            release->wait();
        });
    }
    held->wait();

    const auto impatient = make_client(kSecret, 100ms);
    const auto started = std::chrono::steady_clock::now();
    const auto read = impatient->get(1);
    const auto took = std::chrono::steady_clock::now() - started;
    release->count_down();

    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(read.error().retry_after, 1s);
    EXPECT_GE(took, 90ms);
    EXPECT_LT(took, 2s);
}

}  // namespace
}  // namespace gomall::rpc
