// Routing of the replica-reading repositories, with fakes: which reads go to the replica, that
// writes and money-deciding reads never do, the fallback to the primary on any replica error, and
// the write fence that keeps an instance reading its own writes.
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/sql/replica_read_order_repository.hpp"
#include "adapters/sql/replica_read_product_repository.hpp"

namespace gomall::adapters::sql {
namespace {

using ::testing::_;
using ::testing::Return;
using ::testing::Throw;

class MockProducts : public ports::ProductRepository {
public:
    MOCK_METHOD(domain::Page<domain::Product>, list, (const domain::ProductQuery&), (override));
    MOCK_METHOD(std::optional<domain::Product>, find, (std::int64_t), (override));
    MOCK_METHOD(std::int64_t, create, (const domain::NewProduct&, TimePoint), (override));
    MOCK_METHOD(bool, update, (std::int64_t, const domain::ProductPatch&, TimePoint), (override));
    MOCK_METHOD(bool, soft_delete, (std::int64_t, TimePoint), (override));
    MOCK_METHOD(std::vector<domain::Category>, categories, (), (override));
    MOCK_METHOD(std::optional<domain::Category>, find_category, (std::int64_t), (override));
    MOCK_METHOD(std::optional<domain::Category>, find_category_by_name, (std::string_view), (override));
    MOCK_METHOD(std::int64_t, create_category, (std::string_view), (override));
    MOCK_METHOD(std::int64_t, count_products, (), (override));
};

class MockOrders : public ports::OrderRepository {
public:
    MOCK_METHOD(Result<domain::Order>, place, (const domain::OrderDraft&), (override));
    MOCK_METHOD(std::optional<domain::Order>, find, (const std::string&, std::int64_t), (override));
    MOCK_METHOD(domain::Page<domain::Order>, list, (const domain::OrderQuery&), (override));
    MOCK_METHOD(bool, mark_paid, (const std::string&, domain::PayType, TimePoint), (override));
    MOCK_METHOD(bool, cancel, (const std::string&, TimePoint), (override));
    MOCK_METHOD(std::vector<std::string>, expired_unpaid, (TimePoint, int), (override));
};

class FakeReplica : public ReplicaReads {
public:
    ports::ProductRepository& products() override { return products_mock; }
    ports::OrderRepository& orders() override { return orders_mock; }
    ::testing::StrictMock<MockProducts> products_mock;
    ::testing::StrictMock<MockOrders> orders_mock;
};

// The monitor's rule reduced to its inputs: usable, the newest beat the replica showed, the clock.
class FakeRouting : public ReplicaRouting {
public:
    [[nodiscard]] std::int64_t now_ms() const override { return now; }
    ReplicaReads* replica_for_read(std::int64_t fence_ms) override {
        return usable && beat > fence_ms ? &replica : nullptr;
    }
    void replica_failed(const std::exception&) noexcept override {
        ++failures;
        usable = false;
    }
    void served(ReadTarget target) noexcept override { ++(target == ReadTarget::kReplica ? by_replica : by_primary); }

    FakeReplica replica;
    bool usable = true;
    std::int64_t now = 1000;
    std::int64_t beat = 900;
    int failures = 0;
    int by_replica = 0;
    int by_primary = 0;
};

domain::Product product(std::int64_t id, const std::string& name) {
    domain::Product p;
    p.id = id;
    p.name = name;
    return p;
}

domain::Page<domain::Order> orders_page(std::int64_t total) {
    domain::Page<domain::Order> page;
    page.total = total;
    return page;
}

class ReplicaReadProductTest : public ::testing::Test {
protected:
    ::testing::StrictMock<MockProducts> primary;
    FakeRouting routing;
    ReplicaReadProductRepository repo{primary, routing};
};

TEST_F(ReplicaReadProductTest, CatalogueReadsGoToTheReplicaWhileItIsUsable) {
    EXPECT_CALL(routing.replica.products_mock, list(_)).WillOnce(Return(domain::Page<domain::Product>{{}, 3, 1, 20}));
    EXPECT_CALL(routing.replica.products_mock, categories()).WillOnce(Return(std::vector<domain::Category>{{1, "a"}}));
    EXPECT_CALL(routing.replica.products_mock, find_category(1)).WillOnce(Return(domain::Category{1, "a"}));
    EXPECT_CALL(routing.replica.products_mock, find_category_by_name(std::string_view("a")))
        .WillOnce(Return(domain::Category{1, "a"}));
    EXPECT_CALL(routing.replica.products_mock, count_products()).WillOnce(Return(3));

    EXPECT_EQ(repo.list({}).total, 3);
    EXPECT_EQ(repo.categories().size(), 1U);
    EXPECT_TRUE(repo.find_category(1));
    EXPECT_TRUE(repo.find_category_by_name("a"));
    EXPECT_EQ(repo.count_products(), 3);
    EXPECT_EQ(routing.by_replica, 5);
    EXPECT_EQ(routing.by_primary, 0);
}

// A product's detail is reloaded right after its cache entry is dropped for a change, usually
// before the replica has that change: from the replica the old row would be cached again.
TEST_F(ReplicaReadProductTest, ProductDetailIsAlwaysReadFromThePrimary) {
    EXPECT_CALL(primary, find(7)).WillOnce(Return(product(7, "primary")));
    EXPECT_EQ(repo.find(7)->name, "primary");
    EXPECT_EQ(routing.by_replica, 0);
}

TEST_F(ReplicaReadProductTest, TheAdminsListingIsReadFromThePrimary) {
    domain::ProductQuery admin;
    admin.include_off_shelf = true;
    EXPECT_CALL(primary, list(_)).WillOnce(Return(domain::Page<domain::Product>{{}, 9, 1, 20}));
    EXPECT_EQ(repo.list(admin).total, 9);
    EXPECT_EQ(routing.by_replica, 0);
}

TEST_F(ReplicaReadProductTest, ReadsGoToThePrimaryWhileTheReplicaIsUnusable) {
    routing.usable = false;  // down, lagging past the bound, or its last check failed
    EXPECT_CALL(primary, categories()).WillOnce(Return(std::vector<domain::Category>{}));
    EXPECT_CALL(primary, list(_)).WillOnce(Return(domain::Page<domain::Product>{{}, 5, 1, 20}));
    EXPECT_TRUE(repo.categories().empty());
    EXPECT_EQ(repo.list({}).total, 5);
    EXPECT_EQ(routing.by_primary, 2);
    EXPECT_EQ(routing.by_replica, 0);
}

TEST_F(ReplicaReadProductTest, AnErrorOnTheReplicaIsAnsweredByThePrimaryAndMarksItUnusable) {
    EXPECT_CALL(routing.replica.products_mock, list(_)).WillOnce(Throw(std::runtime_error("Lost connection")));
    EXPECT_CALL(primary, list(_)).Times(2).WillRepeatedly(Return(domain::Page<domain::Product>{{}, 8, 1, 20}));
    EXPECT_EQ(repo.list({}).total, 8);
    EXPECT_EQ(routing.failures, 1);
    // Marked unusable: the next read does not try the replica again.
    EXPECT_EQ(repo.list({}).total, 8);
    EXPECT_EQ(routing.failures, 1);
    EXPECT_EQ(routing.by_primary, 2);
}

TEST_F(ReplicaReadProductTest, AnErrorOnThePrimaryReachesTheCaller) {
    routing.usable = false;
    EXPECT_CALL(primary, list(_)).WillOnce(Throw(std::runtime_error("primary down")));
    EXPECT_THROW(repo.list({}), std::runtime_error);
}

TEST_F(ReplicaReadProductTest, WritesGoToThePrimaryAndItsOwnReadsWaitForTheReplicaToHoldThem) {
    EXPECT_CALL(primary, create(_, _)).WillOnce(Return(42));
    EXPECT_EQ(repo.create({}, TimePoint{}), 42);
    // Written at 1000; the replica's newest beat is 900: it may not hold the product yet.
    EXPECT_CALL(primary, list(_))
        .Times(2)
        .WillRepeatedly(Return(domain::Page<domain::Product>{{product(42, "new")}, 1, 1, 20}));
    EXPECT_EQ(repo.list({}).items.at(0).name, "new");
    // A beat stamped in the same millisecond as the write is not enough; a later one is.
    routing.beat = 1000;
    repo.list({});
    routing.beat = 1001;
    EXPECT_CALL(routing.replica.products_mock, list(_))
        .WillOnce(Return(domain::Page<domain::Product>{{product(42, "replicated")}, 1, 1, 20}));
    EXPECT_EQ(repo.list({}).items.at(0).name, "replicated");
}

TEST_F(ReplicaReadProductTest, EveryKindOfWriteMovesTheFenceEvenWhenItThrows) {
    EXPECT_CALL(primary, update(1, _, _)).WillOnce(Return(true));
    EXPECT_CALL(primary, soft_delete(2, _)).WillOnce(Return(false));
    EXPECT_CALL(primary, create_category(std::string_view("c"))).WillOnce(Throw(std::runtime_error("dup")));
    EXPECT_CALL(primary, count_products()).Times(3).WillRepeatedly(Return(1));
    EXPECT_CALL(routing.replica.products_mock, count_products()).Times(3).WillRepeatedly(Return(1));

    routing.now = 2000;
    repo.update(1, {}, TimePoint{});
    repo.count_products();  // primary: fence 2000, beat 900
    routing.beat = 2001;
    repo.count_products();  // replica

    routing.now = 3000;
    repo.soft_delete(2, TimePoint{});
    repo.count_products();  // primary
    routing.beat = 3001;
    repo.count_products();  // replica

    routing.now = 4000;
    EXPECT_THROW(repo.create_category("c"), std::runtime_error);
    repo.count_products();  // primary: a write that threw may have committed
    routing.beat = 4001;
    repo.count_products();  // replica
    EXPECT_EQ(routing.by_primary, 3);
    EXPECT_EQ(routing.by_replica, 3);
}

class ReplicaReadOrderTest : public ::testing::Test {
protected:
    ::testing::StrictMock<MockOrders> primary;
    FakeRouting routing;
    ReplicaReadOrderRepository repo{primary, routing};
};

TEST_F(ReplicaReadOrderTest, OnlyAShoppersListReadsTheReplica) {
    EXPECT_CALL(routing.replica.orders_mock, list(_)).WillOnce(Return(orders_page(2)));
    EXPECT_EQ(repo.list({5, std::nullopt, 1, 20}).total, 2);
    // Every user's orders (the admin's listing): the primary.
    EXPECT_CALL(primary, list(_)).WillOnce(Return(orders_page(7)));
    EXPECT_EQ(repo.list({0, std::nullopt, 1, 20}).total, 7);
    // What payment, cancellation and the order page act on is always the primary's.
    EXPECT_CALL(primary, find("A1", 5)).WillOnce(Return(std::nullopt));
    EXPECT_CALL(primary, expired_unpaid(_, 10)).WillOnce(Return(std::vector<std::string>{"A2"}));
    EXPECT_FALSE(repo.find("A1", 5));
    EXPECT_EQ(repo.expired_unpaid(TimePoint{}, 10).size(), 1U);
    EXPECT_EQ(routing.by_replica, 1);
}

TEST_F(ReplicaReadOrderTest, TheListFallsBackToThePrimaryOnAReplicaError) {
    EXPECT_CALL(routing.replica.orders_mock, list(_)).WillOnce(Throw(std::runtime_error("Can't connect")));
    EXPECT_CALL(primary, list(_)).WillOnce(Return(orders_page(4)));
    EXPECT_EQ(repo.list({5, std::nullopt, 1, 20}).total, 4);
    EXPECT_EQ(routing.failures, 1);
}

TEST_F(ReplicaReadOrderTest, PlacingPayingOrCancellingKeepsTheListOnThePrimaryUntilReplicated) {
    EXPECT_CALL(primary, place(_)).WillOnce(Return(Result<domain::Order>(domain::Order{})));
    EXPECT_CALL(primary, mark_paid("A1", domain::PayType::kDemo, _)).WillOnce(Return(true));
    EXPECT_CALL(primary, cancel("A2", _)).WillOnce(Return(true));
    EXPECT_CALL(primary, list(_)).Times(3).WillRepeatedly(Return(orders_page(1)));
    EXPECT_CALL(routing.replica.orders_mock, list(_)).Times(3).WillRepeatedly(Return(orders_page(1)));
    for (int step = 0; step < 3; ++step) {
        routing.now += 1000;
        if (step == 0) {
            ASSERT_TRUE(repo.place({}).ok());
        } else if (step == 1) {
            repo.mark_paid("A1", domain::PayType::kDemo, TimePoint{});
        } else {
            repo.cancel("A2", TimePoint{});
        }
        repo.list({5, std::nullopt, 1, 20});  // primary
        routing.beat = routing.now + 1;
        repo.list({5, std::nullopt, 1, 20});  // replica
    }
    EXPECT_EQ(routing.by_primary, 3);
    EXPECT_EQ(routing.by_replica, 3);
}

}  // namespace
}  // namespace gomall::adapters::sql
