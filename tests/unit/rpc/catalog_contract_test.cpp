// Contract tests of the catalogue service over gRPC: ProductClient and CartClient (and the
// generated stubs) against a real gRPC server on a loopback port, serving the real ProductService
// and CartService on SQLite in a temporary file. What a call answers through the client is checked
// against what the same service answers in process, so the wire loses nothing on the way.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
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
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "core/unavailable.hpp"
#include "gomall/v1/catalog.grpc.pb.h"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/catalog_client.hpp"
#include "rpc/catalog_server.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/status_mapping.hpp"
#include "rpc/unix_millis.hpp"
#include "services/cart_service.hpp"
#include "services/catalog_cache.hpp"
#include "services/product_service.hpp"
#include "unit/rpc/temp_sqlite_database.hpp"

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "contract-test-secret-of-the-catalogue";

/// What the catalogue role runs: ProductService (with a memory-only catalogue cache, as embedded
/// mode has) and CartService on the shared database.
struct CatalogSide {
    explicit CatalogSide(adapters::sql::Database& db) : users(db), products(db), carts(db) {}

    /// A shopper row: cart lines refer to their user.
    std::int64_t add_user(const std::string& name) {
        const auto id = users.create({name, name + "@example.com", "", "not-a-real-hash", {}}, clock.now());
        EXPECT_TRUE(id.has_value());
        return id.value_or(0);
    }

    ports::SystemClock clock;
    adapters::sql::SqlUserRepository users;
    adapters::sql::SqlProductRepository products;
    adapters::sql::SqlCartRepository carts;
    services::CatalogCache cache{services::CatalogCacheSettings{}, clock};
    services::ProductService product_service{products, cache, clock};
    services::CartService cart_service{carts, products, clock};
};

/// What the gateway runs: one pool of the role's instances, shared by both clients.
struct Gateway {
    Gateway(ports::ServiceRegistry& registry, std::vector<std::string> addresses, const std::string& secret)
        : pool(registry, "catalog", services::BreakerSettings{}, clock, metrics, ProductClient::make_stubs),
          products(pool, CatalogClientSettings{secret, 5s}),
          carts(pool, CatalogClientSettings{secret, 5s}) {
        ports::InstanceSet instances;
        int n = 0;
        for (auto& address : addresses) {
            instances.push_back(ports::ServiceInstance{"catalog", "i" + std::to_string(n++), std::move(address), 1, {}}
            );
        }
        pool.update(instances);
    }

    ports::SystemClock clock;
    ports::NullMetrics metrics;
    InstancePool pool;
    ProductClient products;
    CartClient carts;
};

class CatalogContractTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_support::TempSqliteDatabase>("gomall-catalog-rpc-test");
        service_ = std::make_unique<CatalogSide>(**db_);
        server_side_ = std::make_unique<CatalogServer>(
            service_->product_service, service_->cart_service, CatalogServerSettings{kSecret, blocking_.get_executor()}
        );
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
        server_side_->register_with(builder);
        server_ = builder.BuildAndStart();
        ASSERT_NE(server_, nullptr);
        gateway_ = make_gateway(kSecret, {address()});
    }

    void TearDown() override {
        gateways_.clear();
        gateway_.reset();
        server_->Shutdown(std::chrono::system_clock::now() + 1s);
        server_.reset();
        blocking_.join();
        server_side_.reset();
        service_.reset();
        db_.reset();
    }

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    std::unique_ptr<Gateway> make_gateway(const std::string& secret, std::vector<std::string> addresses) {
        return std::make_unique<Gateway>(registry_, std::move(addresses), secret);
    }

    services::ProductApi& remote_products() { return gateway_->products; }
    services::CartApi& remote_carts() { return gateway_->carts; }
    services::ProductService& local_products() { return service_->product_service; }

    /// A product made in process (the seeding of the listing and cart tests).
    std::int64_t seed(
        const std::string& name,
        Cents price,
        std::int64_t category_id = 0,
        domain::ProductStatus status = domain::ProductStatus::kOnSale
    ) {
        domain::NewProduct product;
        product.name = name;
        product.description = "the " + name + " of the test";
        product.price = price;
        product.stock = 50;
        product.category_id = category_id;
        product.status = status;
        auto created = local_products().create(product);
        EXPECT_TRUE(created.ok()) << created.error().message;
        return created.ok() ? created->id : 0;
    }

    adapters::memory::MemoryServiceRegistry registry_;
    std::unique_ptr<test_support::TempSqliteDatabase> db_;
    std::unique_ptr<CatalogSide> service_;
    boost::asio::thread_pool blocking_{2};
    std::unique_ptr<CatalogServer> server_side_;
    std::unique_ptr<grpc::Server> server_;
    int port_ = 0;
    std::unique_ptr<Gateway> gateway_;
    std::vector<std::unique_ptr<Gateway>> gateways_;
};

void expect_same_product(const domain::Product& actual, const domain::Product& expected) {
    EXPECT_EQ(actual.id, expected.id);
    EXPECT_EQ(actual.name, expected.name);
    EXPECT_EQ(actual.description, expected.description);
    EXPECT_EQ(actual.price, expected.price);
    EXPECT_EQ(actual.stock, expected.stock);
    EXPECT_EQ(actual.category_id, expected.category_id);
    EXPECT_EQ(actual.category, expected.category);
    EXPECT_EQ(actual.image_url, expected.image_url);
    EXPECT_EQ(actual.status, expected.status);
    EXPECT_EQ(actual.sales, expected.sales);
    // Times travel as unix milliseconds.
    EXPECT_EQ(to_unix_millis(actual.created_at), to_unix_millis(expected.created_at));
    EXPECT_EQ(to_unix_millis(actual.updated_at), to_unix_millis(expected.updated_at));
}

std::vector<std::int64_t> ids_of(const domain::Page<domain::Product>& page) {
    std::vector<std::int64_t> ids;
    for (const auto& product : page.items) {
        ids.push_back(product.id);
    }
    return ids;
}

TEST_F(CatalogContractTest, ACategoryAndAProductMakeTheRoundTripWithEveryField) {
    const auto category = remote_products().create_category("Phones");
    ASSERT_TRUE(category.ok()) << category.error().message;
    EXPECT_GT(category->id, 0);
    EXPECT_EQ(category->name, "Phones");
    const auto categories = remote_products().categories();
    ASSERT_EQ(categories.size(), 1U);
    EXPECT_EQ(categories[0].id, category->id);
    EXPECT_EQ(categories[0].name, "Phones");

    domain::NewProduct fresh;
    fresh.name = "Pocket phone";
    fresh.description = "A phone that fits";
    fresh.price = 129'999;
    fresh.stock = 7;
    fresh.category_id = category->id;
    fresh.image_url = "/images/pocket.png";
    fresh.status = domain::ProductStatus::kOffShelf;  // not the default either side: it must travel
    const auto created = remote_products().create(fresh);
    ASSERT_TRUE(created.ok()) << created.error().message;
    EXPECT_EQ(created->name, fresh.name);
    EXPECT_EQ(created->description, fresh.description);
    EXPECT_EQ(created->price, fresh.price);
    EXPECT_EQ(created->stock, fresh.stock);
    EXPECT_EQ(created->category_id, category->id);
    EXPECT_EQ(created->category, "Phones");
    EXPECT_EQ(created->image_url, fresh.image_url);
    EXPECT_EQ(created->status, domain::ProductStatus::kOffShelf);

    const auto in_process = local_products().get(created->id);
    ASSERT_TRUE(in_process.ok());
    EXPECT_EQ(in_process->status, domain::ProductStatus::kOffShelf);
    const auto read = remote_products().get(created->id);
    ASSERT_TRUE(read.ok()) << read.error().message;
    expect_same_product(read.value(), in_process.value());
    expect_same_product(created.value(), in_process.value());
    EXPECT_GT(to_unix_millis(read->created_at), 0);

    // A patch carries only what it sets: on sale, then a new price with the status left alone.
    domain::ProductPatch on_sale;
    on_sale.status = domain::ProductStatus::kOnSale;
    const auto listed = remote_products().update(created->id, on_sale);
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    EXPECT_EQ(listed->status, domain::ProductStatus::kOnSale);

    domain::ProductPatch cheaper;
    cheaper.price = 99'999;
    const auto updated = remote_products().update(created->id, cheaper);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
    const auto after = local_products().get(created->id);
    ASSERT_TRUE(after.ok());
    expect_same_product(updated.value(), after.value());
    EXPECT_EQ(after->price, 99'999);
    EXPECT_EQ(after->status, domain::ProductStatus::kOnSale);
    EXPECT_EQ(after->name, fresh.name);
    EXPECT_EQ(after->description, fresh.description);
    EXPECT_EQ(after->stock, fresh.stock);
    EXPECT_EQ(after->category_id, category->id);
    EXPECT_EQ(after->image_url, fresh.image_url);

    ASSERT_TRUE(remote_products().soft_delete(created->id).ok());
    EXPECT_FALSE(local_products().get(created->id).ok());
}

TEST_F(CatalogContractTest, ListingsAreTheSamePagesAsTheInProcessService) {
    const auto phones = local_products().create_category("Phones");
    const auto books = local_products().create_category("Books");
    ASSERT_TRUE(phones.ok() && books.ok());
    seed("Pocket phone", 129'999, phones->id);
    seed("Folding phone", 899'999, phones->id);
    seed("Phone stand", 1'999);
    seed("Old phone", 9'999, phones->id, domain::ProductStatus::kOffShelf);
    seed("Cookbook", 4'999, books->id);
    seed("Atlas", 7'999, books->id);

    std::vector<domain::ProductQuery> queries;
    queries.emplace_back();  // the default listing
    {
        domain::ProductQuery q;
        q.keyword = "phone";
        queries.push_back(q);
    }
    {
        domain::ProductQuery q;
        q.category_id = phones->id;
        q.sort = domain::ProductSort::kPriceAsc;
        queries.push_back(q);
    }
    {
        domain::ProductQuery q;
        q.category_id = phones->id;
        q.include_off_shelf = true;
        q.sort = domain::ProductSort::kPriceDesc;
        queries.push_back(q);
    }
    {
        domain::ProductQuery q;
        q.sort = domain::ProductSort::kPriceDesc;
        q.page = 2;
        q.page_size = 2;
        queries.push_back(q);
    }
    {
        domain::ProductQuery q;
        q.sort = domain::ProductSort::kSales;
        q.include_off_shelf = true;
        q.page_size = 3;
        queries.push_back(q);
    }

    for (const auto& query : queries) {
        SCOPED_TRACE("keyword '" + query.keyword + "', page " + std::to_string(query.page));
        const auto expected = local_products().list(query);
        const auto actual = remote_products().list(query);
        EXPECT_EQ(ids_of(actual), ids_of(expected));
        EXPECT_EQ(actual.total, expected.total);
        EXPECT_EQ(actual.page, expected.page);
        EXPECT_EQ(actual.page_size, expected.page_size);
        ASSERT_EQ(actual.items.size(), expected.items.size());
        for (std::size_t i = 0; i < actual.items.size(); ++i) {
            expect_same_product(actual.items[i], expected.items[i]);
        }
    }

    // The queries above must tell their fields apart, or the comparison proves little.
    EXPECT_EQ(remote_products().list(queries[0]).total, 5);  // on sale only
    EXPECT_EQ(remote_products().list(queries[1]).total, 3);  // keyword
    EXPECT_EQ(remote_products().list(queries[2]).total, 2);  // category, on sale
    EXPECT_EQ(remote_products().list(queries[3]).total, 3);  // category, off shelf too
    const auto second_page = remote_products().list(queries[4]);
    EXPECT_EQ(second_page.page, 2);
    EXPECT_EQ(second_page.page_size, 2);
    ASSERT_EQ(second_page.items.size(), 2U);
    EXPECT_EQ(second_page.items[0].name, "Atlas");  // price descending: 8999.99, 1299.99 | 79.99, 49.99
    EXPECT_EQ(second_page.items[1].name, "Cookbook");
    EXPECT_EQ(remote_products().list(queries[5]).items.size(), 3U);
}

TEST_F(CatalogContractTest, RefusalsKeepTheirCodeFieldAndMessage) {
    const std::int64_t missing = 4242;
    const auto not_found = remote_products().get(missing);
    ASSERT_FALSE(not_found.ok());
    EXPECT_EQ(not_found.error().code, ErrorCode::kProductNotFound);
    EXPECT_EQ(not_found.error().message, local_products().get(missing).error().message);

    domain::ProductPatch patch;
    patch.name = "Renamed";
    const auto update_missing = remote_products().update(missing, patch);
    ASSERT_FALSE(update_missing.ok());
    EXPECT_EQ(update_missing.error().code, ErrorCode::kProductNotFound);
    const auto delete_missing = remote_products().soft_delete(missing);
    ASSERT_FALSE(delete_missing.ok());
    EXPECT_EQ(delete_missing.error().code, ErrorCode::kProductNotFound);

    domain::NewProduct orphan;
    orphan.name = "Orphan";
    orphan.price = 100;
    orphan.category_id = 999;
    const auto no_category = remote_products().create(orphan);
    ASSERT_FALSE(no_category.ok());
    EXPECT_EQ(no_category.error().code, ErrorCode::kCategoryNotFound);
    EXPECT_EQ(no_category.error().field, "category_id");
    EXPECT_EQ(no_category.error().message, local_products().create(orphan).error().message);
    EXPECT_TRUE(local_products().list(domain::ProductQuery{}).items.empty());

    ASSERT_TRUE(remote_products().create_category("Books").ok());
    const auto taken = remote_products().create_category("Books");
    ASSERT_FALSE(taken.ok());
    EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
    EXPECT_EQ(taken.error().field, "name");
    EXPECT_EQ(taken.error().message, "category 'Books' already exists");

    const auto shopper = service_->add_user("alice");
    const auto atlas = seed("Atlas", 7'999);
    const auto shelved = seed("Shelved", 100, 0, domain::ProductStatus::kOffShelf);
    ASSERT_TRUE(remote_carts().add(shopper, atlas, 60).ok());
    const auto over = remote_carts().add(shopper, atlas, 60);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().code, ErrorCode::kCartQuantityLimit);
    EXPECT_EQ(over.error().field, "quantity");

    const auto bad_quantity = remote_carts().add(shopper, atlas, 0);
    ASSERT_FALSE(bad_quantity.ok());
    EXPECT_EQ(bad_quantity.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(bad_quantity.error().field, "quantity");

    const auto unavailable = remote_carts().add(shopper, shelved, 1);
    ASSERT_FALSE(unavailable.ok());
    EXPECT_EQ(unavailable.error().code, ErrorCode::kCartProductUnavailable);

    const auto not_in_cart = remote_carts().update(shopper, shelved, 2);
    ASSERT_FALSE(not_in_cart.ok());
    EXPECT_EQ(not_in_cart.error().code, ErrorCode::kCartItemNotFound);
    EXPECT_EQ(not_in_cart.error().message, service_->cart_service.update(shopper, shelved, 2).error().message);
    const auto remove_missing = remote_carts().remove(shopper, shelved);
    ASSERT_FALSE(remove_missing.ok());
    EXPECT_EQ(remove_missing.error().code, ErrorCode::kCartItemNotFound);
}

TEST_F(CatalogContractTest, ACartBelongsToTheShopperTheCallNamesAndNoOtherSeesIt) {
    const auto alice = service_->add_user("alice");
    const auto bob = service_->add_user("bob");
    const auto atlas = seed("Atlas", 7'999);
    const auto cookbook = seed("Cookbook", 4'999);

    const auto added = remote_carts().add(alice, atlas, 2);
    ASSERT_TRUE(added.ok()) << added.error().message;
    EXPECT_EQ(added->user_id, alice);
    EXPECT_EQ(added->product_id, atlas);
    EXPECT_EQ(added->quantity, 2);
    EXPECT_EQ(added->name, "Atlas");
    EXPECT_EQ(added->price, 7'999);
    EXPECT_EQ(added->stock, 50);
    EXPECT_EQ(added->status, domain::ProductStatus::kOnSale);
    EXPECT_FALSE(added->product_deleted);
    EXPECT_GT(to_unix_millis(added->created_at), 0);
    ASSERT_TRUE(remote_carts().add(alice, atlas, 1).ok());  // merges into the line
    ASSERT_TRUE(remote_carts().add(alice, cookbook, 1).ok());
    const auto set = remote_carts().update(alice, cookbook, 4);
    ASSERT_TRUE(set.ok()) << set.error().message;
    EXPECT_EQ(set->quantity, 4);

    const auto cart = remote_carts().list(alice);
    const auto expected = service_->cart_service.list(alice);
    ASSERT_EQ(cart.items.size(), 2U);
    ASSERT_EQ(cart.items.size(), expected.items.size());
    for (std::size_t i = 0; i < cart.items.size(); ++i) {
        EXPECT_EQ(cart.items[i].id, expected.items[i].id);
        EXPECT_EQ(cart.items[i].product_id, expected.items[i].product_id);
        EXPECT_EQ(cart.items[i].quantity, expected.items[i].quantity);
        EXPECT_EQ(cart.items[i].user_id, alice);
        EXPECT_EQ(to_unix_millis(cart.items[i].updated_at), to_unix_millis(expected.items[i].updated_at));
    }
    EXPECT_EQ(cart.total_quantity, 7);
    EXPECT_EQ(cart.total_price, 3 * 7'999 + 4 * 4'999);
    EXPECT_EQ(cart.total_price, expected.total_price);

    // Bob's calls never reach Alice's lines.
    EXPECT_TRUE(remote_carts().list(bob).items.empty());
    EXPECT_EQ(remote_carts().update(bob, atlas, 1).error().code, ErrorCode::kCartItemNotFound);
    EXPECT_EQ(remote_carts().remove(bob, atlas).error().code, ErrorCode::kCartItemNotFound);
    ASSERT_TRUE(remote_carts().add(bob, atlas, 5).ok());
    remote_carts().clear(bob);
    EXPECT_TRUE(service_->cart_service.list(bob).items.empty());
    EXPECT_EQ(service_->cart_service.list(alice).items.size(), 2U);
    EXPECT_EQ(service_->cart_service.list(alice).total_quantity, 7);

    ASSERT_TRUE(remote_carts().remove(alice, atlas).ok());
    const auto left = remote_carts().list(alice);
    ASSERT_EQ(left.items.size(), 1U);
    EXPECT_EQ(left.items[0].product_id, cookbook);
    remote_carts().clear(alice);
    EXPECT_TRUE(remote_carts().list(alice).items.empty());
    EXPECT_TRUE(service_->cart_service.list(alice).items.empty());
}

TEST_F(CatalogContractTest, ACallerWithoutThePeerSecretIsRefusedAndChangesNothing) {
    const auto alice = service_->add_user("alice");
    const auto atlas = seed("Atlas", 7'999);
    for (const std::string secret : {"", "not-the-secret-of-this-shop-at-all"}) {
        SCOPED_TRACE("secret '" + secret + "'");
        auto& stranger = *gateways_.emplace_back(make_gateway(secret, {address()}));
        const auto refused = stranger.products.create_category("Contraband");
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().code, ErrorCode::kInternal);  // a deployment mistake, not the shopper's
        EXPECT_FALSE(local_products().find_category("Contraband").has_value());

        const auto added = stranger.carts.add(alice, atlas, 1);
        ASSERT_FALSE(added.ok());
        EXPECT_EQ(added.error().code, ErrorCode::kInternal);
        EXPECT_TRUE(service_->cart_service.list(alice).items.empty());

        EXPECT_FALSE(stranger.products.get(atlas).ok());
        EXPECT_THROW(stranger.products.list(domain::ProductQuery{}), std::runtime_error);
        EXPECT_THROW(stranger.carts.list(alice), std::runtime_error);
    }

    // Straight through the stub, with the secret but without a user: the cart is refused.
    auto stub = v1::CartService::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    prepare_context(context, OutgoingCall{5s, std::nullopt, {}}, kSecret);
    v1::CartLineRequest request;
    request.set_product_id(atlas);
    request.set_quantity(1);
    v1::CartItem item;
    const auto status = stub->AddLine(&context, request, &item);
    EXPECT_EQ(from_grpc_status(status).code, ErrorCode::kUnauthorized);
    EXPECT_TRUE(service_->cart_service.list(alice).items.empty());
}

TEST_F(CatalogContractTest, WithNoInstanceCallsAreUnavailableWithARetryAfter) {
    auto& alone = *gateways_.emplace_back(make_gateway(kSecret, {}));
    const auto read = alone.products.get(1);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(read.error().retry_after, kTransportRetryAfter);

    const auto added = alone.carts.add(1, 1, 1);
    ASSERT_FALSE(added.ok());
    EXPECT_EQ(added.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(added.error().retry_after, kTransportRetryAfter);

    try {
        alone.products.list(domain::ProductQuery{});
        ADD_FAILURE() << "a listing without an instance must throw";
    } catch (const DependencyUnavailable& unavailable) {
        EXPECT_EQ(unavailable.retry_after(), kTransportRetryAfter);
    }
    EXPECT_THROW(alone.products.categories(), DependencyUnavailable);
    EXPECT_THROW(alone.carts.list(1), DependencyUnavailable);
    EXPECT_THROW(alone.carts.clear(1), DependencyUnavailable);
}

TEST_F(CatalogContractTest, AReadIsTriedOnASecondInstanceWhenTheFirstIsUnreachable) {
    const auto atlas = seed("Atlas", 7'999);
    // Port 1 on loopback refuses connections: a dead instance listed beside the live one. Round
    // robin sends every other first attempt to it; each read must still be answered.
    auto& half = *gateways_.emplace_back(make_gateway(kSecret, {"127.0.0.1:1", address()}));
    for (int i = 0; i < 4; ++i) {
        const auto read = half.products.get(atlas);
        ASSERT_TRUE(read.ok()) << read.error().message;
        EXPECT_EQ(read->name, "Atlas");
        EXPECT_EQ(half.products.list(domain::ProductQuery{}).total, 1);
    }
}

}  // namespace
}  // namespace gomall::rpc
