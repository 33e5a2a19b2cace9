// Contract tests of the SQL adapters. Every suite runs on SQLite (a temporary file) and, when
// GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE are set, on MariaDB/MySQL too.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/sql/cart_repository.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/health_check.hpp"
#include "adapters/sql/migrations.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/sql_util.hpp"
#include "adapters/sql/token_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "unit/adapters/sql_test_database.hpp"

namespace gomall::adapters::sql {
namespace {

using testing::Backend;
using testing::backend_name;
using testing::drop_all_tables;
using testing::unique_temp_dir;

using namespace std::chrono_literals;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

// Fresh, migrated database per test. On MariaDB the tests share one database, so a server-side
// named lock keeps test processes that ctest runs in parallel from trampling each other.
class SqlTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (!test_db_.open(GetParam(), 8, "nested/gomall.db")) {
            GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
        }
        db_ = test_db_.get();
    }

    std::int64_t make_user(const std::string& name) {
        SqlUserRepository users(*db_);
        auto id = users.create({name, name + "@example.com", "", "hash", domain::Role::kShopper}, kNow);
        EXPECT_TRUE(id.has_value());
        return id.value_or(0);
    }

    std::int64_t make_product(
        const std::string& name,
        Cents price,
        std::int64_t stock,
        domain::ProductStatus status = domain::ProductStatus::kOnSale,
        TimePoint created = kNow,
        std::int64_t category_id = 0
    ) {
        SqlProductRepository products(*db_);
        return products.create(
            {name, "about " + name, price, stock, category_id, "/images/products/x.svg", status}, created
        );
    }

    domain::Product product(std::int64_t id) {
        SqlProductRepository products(*db_);
        auto p = products.find(id);
        EXPECT_TRUE(p.has_value());
        return p.value_or(domain::Product{});
    }

    std::string next_order_no() { return "ORD" + std::to_string(order_seq_++); }

    testing::TestDatabase test_db_;
    Database* db_ = nullptr;
    int order_seq_ = 1000;
};

// ------------------------------------------------------------------ database and migrations

using DatabaseTest = SqlTest;

TEST_P(DatabaseTest, MigrationsAreIdempotent) {
    EXPECT_EQ(apply_migrations(*db_), 0);
    EXPECT_EQ(apply_migrations(*db_), 0);
    EXPECT_EQ(schema_version(*db_), migrations_for(db_->dialect()).back().version);
}

TEST_P(DatabaseTest, TwoProcessesMigratingAtOnceApplyEachVersionOnce) {
    DatabaseSettings settings = test_db_.settings();
    if (GetParam() == Backend::kMysql) {
        drop_all_tables(*db_);
    } else {
        settings.sqlite_path = (test_db_.dir() / "race.db").string();
    }
    Database first(settings);
    Database second(settings);
    std::atomic<int> applied{0};
    std::thread a([&] { applied += apply_migrations(first); });
    std::thread b([&] { applied += apply_migrations(second); });
    a.join();
    b.join();
    EXPECT_EQ(applied.load(), static_cast<int>(migrations_for(first.dialect()).size()));
    EXPECT_EQ(schema_version(first), migrations_for(first.dialect()).back().version);
}

TEST_P(DatabaseTest, HealthCheckReportsHealthyDatabase) {
    DatabaseHealthCheck health(*db_);
    EXPECT_EQ(health.name(), "database");
    EXPECT_EQ(health.check(), "");
}

TEST_P(DatabaseTest, RolledBackTransactionLeavesNoTrace) {
    {
        SessionLease session = db_->lease();
        Transaction tx(*session, db_->dialect());
        *session << "INSERT INTO categories (name) VALUES ('ghost')";
    }
    SqlProductRepository products(*db_);
    EXPECT_FALSE(products.find_category_by_name("ghost").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name);

TEST(SqliteDatabaseTest, SessionsUseWalAndEnforceForeignKeys) {
    const auto dir = unique_temp_dir();
    DatabaseSettings settings;
    settings.sqlite_path = (dir / "a" / "b" / "shop.db").string();
    settings.pool_size = 2;
    {
        Database db(settings);
        EXPECT_TRUE(std::filesystem::exists(dir / "a" / "b"));
        SessionLease session = db.lease();
        std::string mode;
        int fk = 0;
        int busy = 0;
        *session << "PRAGMA journal_mode", soci::into(mode);
        *session << "PRAGMA foreign_keys", soci::into(fk);
        *session << "PRAGMA busy_timeout", soci::into(busy);
        EXPECT_EQ(mode, "wal");
        EXPECT_EQ(fk, 1);
        EXPECT_GE(busy, 1000);
        EXPECT_EQ(db.dialect(), Dialect::kSqlite);
    }
    std::filesystem::remove_all(dir);
}

TEST(SqliteDatabaseTest, UnknownDriverIsRejectedWithAClearMessage) {
    DatabaseSettings settings;
    settings.driver = "oracle";
    EXPECT_THROW(Database{settings}, std::runtime_error);
}

TEST(MysqlDatabaseTest, UnreachableServerThrowsOneLineWithoutThePassword) {
    DatabaseSettings settings;
    settings.driver = "mysql";
    settings.mysql_host = "127.0.0.1";
    settings.mysql_port = 1;  // nothing listens there
    settings.mysql_password = "s3cret-pa55word";
    settings.pool_size = 1;
    try {
        Database db(settings);
        FAIL() << "expected a connection failure";
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("cannot connect to database mysql:"), std::string::npos) << message;
        EXPECT_EQ(message.find("s3cret-pa55word"), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST(SqlScriptTest, SplitsStatementsOnSemicolonsOutsideQuotes) {
    const auto parts = split_sql_statements("CREATE TABLE a (x TEXT DEFAULT ';');\n -- note; here\nSELECT 1;\n\n");
    ASSERT_EQ(parts.size(), 2U);
    EXPECT_EQ(parts[0], "CREATE TABLE a (x TEXT DEFAULT ';')");
    EXPECT_EQ(parts[1], "-- note; here\nSELECT 1");
}

TEST(SqlScriptTest, LikeEscapingMakesWildcardsLiteral) {
    EXPECT_EQ(escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
}

// ------------------------------------------------------------------ users

using UserRepositoryTest = SqlTest;

TEST_P(UserRepositoryTest, CreatedUserCanBeFoundByIdAndByName) {
    SqlUserRepository users(*db_);
    auto id =
        users.create({"alice", "alice@example.com", "+8613800000000", "bcrypt-hash", domain::Role::kShopper}, kNow);
    ASSERT_TRUE(id);
    auto by_id = users.find_by_id(*id);
    auto by_name = users.find_by_username("alice");
    ASSERT_TRUE(by_id && by_name);
    EXPECT_EQ(by_id->id, by_name->id);
    EXPECT_EQ(by_id->email, "alice@example.com");
    EXPECT_EQ(by_id->phone, "+8613800000000");
    EXPECT_EQ(by_id->password_hash, "bcrypt-hash");
    EXPECT_EQ(by_id->role, domain::Role::kShopper);
    EXPECT_EQ(by_id->created_at, kNow);
    EXPECT_FALSE(users.find_by_username("nobody"));
    EXPECT_FALSE(users.find_by_id(*id + 1000));
}

TEST_P(UserRepositoryTest, SecondAccountWithTheSameUsernameIsRefused) {
    SqlUserRepository users(*db_);
    ASSERT_TRUE(users.create({"bob", "", "", "h", domain::Role::kShopper}, kNow));
    EXPECT_FALSE(users.create({"bob", "other@example.com", "", "h2", domain::Role::kShopper}, kNow));
}

TEST_P(UserRepositoryTest, FiftyConcurrentRegistrationsOfOneUsernameCreateOneAccount) {
    SqlUserRepository users(*db_);
    std::atomic<int> created{0};
    std::atomic<int> refused{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) {
        threads.emplace_back([&, i] {
            try {
                auto id =
                    users.create({"racer", std::to_string(i) + "@example.com", "", "h", domain::Role::kShopper}, kNow);
                (id ? created : refused)++;
            } catch (const std::exception&) {
                failed++;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(refused.load(), 49);
    EXPECT_EQ(failed.load(), 0);
}

TEST_P(UserRepositoryTest, PasswordUpdateIsStored) {
    SqlUserRepository users(*db_);
    const auto id = make_user("dave");
    users.update_password(id, "new-hash", kNow + 1h);
    auto user = users.find_by_id(id);
    EXPECT_EQ(user->password_hash, "new-hash");
    EXPECT_EQ(user->updated_at, kNow + 1h);
}

TEST_P(UserRepositoryTest, UpsertAdminCreatesOrPromotesTheAccount) {
    SqlUserRepository users(*db_);
    EXPECT_EQ(users.count_admins(), 0);
    users.upsert_admin({"admin", "admin@example.com", "", "h1", domain::Role::kAdmin}, kNow);
    EXPECT_EQ(users.count_admins(), 1);
    make_user("erin");
    users.upsert_admin({"erin", "", "", "h2", domain::Role::kAdmin}, kNow);
    users.upsert_admin({"admin", "", "", "h3", domain::Role::kAdmin}, kNow);
    EXPECT_EQ(users.count_admins(), 2);
    EXPECT_EQ(users.find_by_username("erin")->role, domain::Role::kAdmin);
    EXPECT_EQ(users.find_by_username("admin")->password_hash, "h3");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, UserRepositoryTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ tokens

using TokenRepositoryTest = SqlTest;

TEST_P(TokenRepositoryTest, RefreshTokenCanBeConsumedOnlyOnce) {
    SqlTokenRepository tokens(*db_);
    const auto uid = make_user("frank");
    tokens.create_refresh({"t1", "hash1", uid, "fam1", kNow + 24h, false, false});
    auto found = tokens.find_refresh("t1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->secret_hash, "hash1");
    EXPECT_EQ(found->family_id, "fam1");
    EXPECT_EQ(found->expires_at, kNow + 24h);
    EXPECT_TRUE(tokens.consume_refresh("t1"));
    EXPECT_FALSE(tokens.consume_refresh("t1"));
    EXPECT_TRUE(tokens.find_refresh("t1")->used);
    EXPECT_FALSE(tokens.consume_refresh("missing"));
}

TEST_P(TokenRepositoryTest, RevokingAFamilyRevokesEveryMemberButNoOtherFamily) {
    SqlTokenRepository tokens(*db_);
    const auto uid = make_user("gina");
    tokens.create_refresh({"a1", "h", uid, "famA", kNow + 24h, false, false});
    tokens.create_refresh({"a2", "h", uid, "famA", kNow + 24h, false, false});
    tokens.create_refresh({"b1", "h", uid, "famB", kNow + 24h, false, false});
    tokens.revoke_family("famA");
    EXPECT_TRUE(tokens.find_refresh("a1")->revoked);
    EXPECT_TRUE(tokens.find_refresh("a2")->revoked);
    EXPECT_FALSE(tokens.find_refresh("b1")->revoked);
    EXPECT_FALSE(tokens.consume_refresh("a2"));
    tokens.revoke_all_refresh_of_user(uid);
    EXPECT_TRUE(tokens.find_refresh("b1")->revoked);
}

TEST_P(TokenRepositoryTest, RevocationsAndCutoffsAreKeptUntilTheyExpire) {
    SqlTokenRepository tokens(*db_);
    const auto uid = make_user("hank");
    tokens.revoke_access("jti-old", kNow - 1min);
    tokens.revoke_access("jti-live", kNow + 10min);
    tokens.revoke_access("jti-live", kNow + 10min);  // twice is harmless
    tokens.set_session_cutoff(uid, kNow);
    tokens.set_session_cutoff(uid, kNow + 5min);
    tokens.create_refresh({"r-old", "h", uid, "f", kNow - 1h, false, false});

    auto active = tokens.active_revocations(kNow);
    ASSERT_EQ(active.size(), 1U);
    EXPECT_EQ(active[0].jti, "jti-live");
    auto cutoffs = tokens.session_cutoffs();
    ASSERT_EQ(cutoffs.size(), 1U);
    EXPECT_EQ(cutoffs[0].not_before, kNow + 5min);

    EXPECT_EQ(tokens.purge_expired(kNow), 2);
    EXPECT_FALSE(tokens.find_refresh("r-old"));
    EXPECT_EQ(tokens.active_revocations(kNow).size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, TokenRepositoryTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ products

using ProductRepositoryTest = SqlTest;

TEST_P(ProductRepositoryTest, CreatedProductIsFoundWithItsCategory) {
    SqlProductRepository products(*db_);
    const auto phones = products.create_category("手机 Phones");
    EXPECT_EQ(products.create_category("手机 Phones"), phones);  // existing name -> same id
    const auto id = make_product("华为 Mate 60 Pro", 699900, 12, domain::ProductStatus::kOnSale, kNow, phones);
    auto p = products.find(id);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "华为 Mate 60 Pro");
    EXPECT_EQ(p->price, 699900);
    EXPECT_EQ(p->stock, 12);
    EXPECT_EQ(p->category_id, phones);
    EXPECT_EQ(p->category, "手机 Phones");
    EXPECT_EQ(p->status, domain::ProductStatus::kOnSale);
    EXPECT_EQ(p->sales, 0);
    EXPECT_EQ(p->created_at, kNow);
    EXPECT_EQ(products.find_category(phones)->name, "手机 Phones");
    EXPECT_EQ(products.categories().size(), 1U);
    EXPECT_FALSE(products.find_category_by_name("nothing"));
}

TEST_P(ProductRepositoryTest, PatchChangesOnlyTheGivenFields) {
    SqlProductRepository products(*db_);
    const auto id = make_product("Kindle", 99900, 5);
    domain::ProductPatch patch;
    patch.price = 89900;
    patch.status = domain::ProductStatus::kOffShelf;
    EXPECT_TRUE(products.update(id, patch, kNow + 1h));
    auto p = products.find(id);
    ASSERT_TRUE(p);  // off-shelf products are still found
    EXPECT_EQ(p->price, 89900);
    EXPECT_EQ(p->status, domain::ProductStatus::kOffShelf);
    EXPECT_EQ(p->name, "Kindle");
    EXPECT_EQ(p->stock, 5);
    EXPECT_EQ(p->updated_at, kNow + 1h);
    EXPECT_TRUE(products.update(id, patch, kNow + 1h));  // nothing changes, but the product exists
    EXPECT_FALSE(products.update(id + 100, patch, kNow));
}

TEST_P(ProductRepositoryTest, SoftDeletedProductsDisappearEverywhere) {
    SqlProductRepository products(*db_);
    const auto id = make_product("Old phone", 100, 1);
    EXPECT_EQ(products.count_products(), 1);
    EXPECT_TRUE(products.soft_delete(id, kNow));
    EXPECT_FALSE(products.soft_delete(id, kNow));
    EXPECT_FALSE(products.find(id));
    domain::ProductPatch rename;
    rename.name = "x";
    EXPECT_FALSE(products.update(id, rename, kNow));
    EXPECT_EQ(products.count_products(), 0);
    domain::ProductQuery query;
    query.include_off_shelf = true;
    EXPECT_EQ(products.list(query).total, 0);
}

TEST_P(ProductRepositoryTest, ListingPagesCarryTheTotalCount) {
    SqlProductRepository products(*db_);
    for (int i = 0; i < 25; ++i) {
        make_product("item " + std::to_string(i), 100 + i, 1, domain::ProductStatus::kOnSale, kNow + i * 1s);
    }
    domain::ProductQuery query;
    query.page_size = 10;
    query.page = 1;
    auto first = products.list(query);
    EXPECT_EQ(first.total, 25);
    ASSERT_EQ(first.items.size(), 10U);
    EXPECT_EQ(first.items[0].name, "item 24");  // newest first
    query.page = 3;
    auto last = products.list(query);
    EXPECT_EQ(last.total, 25);
    ASSERT_EQ(last.items.size(), 5U);
    EXPECT_EQ(last.items.back().name, "item 0");
    query.page = 4;
    EXPECT_TRUE(products.list(query).items.empty());
}

TEST_P(ProductRepositoryTest, ListingSortsByPriceAndBySales) {
    SqlProductRepository products(*db_);
    const auto cheap = make_product("cheap", 100, 10);
    const auto dear = make_product("dear", 900, 10);
    const auto mid = make_product("mid", 500, 10);
    SqlOrderRepository orders(*db_);
    const auto uid = make_user("sorter");
    ASSERT_TRUE(orders.place({"ORDS1", uid, {{mid, 3}}, kNow, kNow + 15min, false}));
    ASSERT_TRUE(orders.place({"ORDS2", uid, {{cheap, 1}}, kNow, kNow + 15min, false}));

    domain::ProductQuery query;
    query.sort = domain::ProductSort::kPriceAsc;
    auto asc = products.list(query);
    ASSERT_EQ(asc.items.size(), 3U);
    EXPECT_EQ(asc.items[0].id, cheap);
    EXPECT_EQ(asc.items[2].id, dear);
    query.sort = domain::ProductSort::kPriceDesc;
    EXPECT_EQ(products.list(query).items[0].id, dear);
    query.sort = domain::ProductSort::kSales;
    auto by_sales = products.list(query);
    EXPECT_EQ(by_sales.items[0].id, mid);
    EXPECT_EQ(by_sales.items[0].sales, 3);
    EXPECT_EQ(by_sales.items[1].id, cheap);
}

TEST_P(ProductRepositoryTest, ShopperListingHidesOffShelfProductsAndAdminListingShowsThem) {
    SqlProductRepository products(*db_);
    make_product("on sale", 100, 1);
    make_product("withdrawn", 100, 1, domain::ProductStatus::kOffShelf);
    domain::ProductQuery query;
    EXPECT_EQ(products.list(query).total, 1);
    query.include_off_shelf = true;
    EXPECT_EQ(products.list(query).total, 2);
}

TEST_P(ProductRepositoryTest, CategoryFilterKeepsOnlyThatCategory) {
    SqlProductRepository products(*db_);
    const auto books = products.create_category("图书 Books");
    const auto laptops = products.create_category("电脑 Laptops");
    make_product("novel", 100, 1, domain::ProductStatus::kOnSale, kNow, books);
    make_product("laptop", 100, 1, domain::ProductStatus::kOnSale, kNow, laptops);
    make_product("loose", 100, 1);
    domain::ProductQuery query;
    query.category_id = books;
    auto page = products.list(query);
    ASSERT_EQ(page.total, 1);
    EXPECT_EQ(page.items[0].name, "novel");
}

TEST_P(ProductRepositoryTest, KeywordWithSqlMetacharactersIsMatchedAsPlainText) {
    SqlProductRepository products(*db_);
    make_product("100% cotton shirt", 100, 1);
    make_product("1000 cotton shirts", 100, 1);
    make_product("Tom's ' OR 1=1 -- special", 100, 1);
    make_product("snake_case mug", 100, 1);
    make_product("snakeXcase mug", 100, 1);
    make_product("back\\slash poster", 100, 1);
    make_product("backslash poster", 100, 1);

    auto names = [&](const std::string& keyword) {
        domain::ProductQuery query;
        query.keyword = keyword;
        std::set<std::string> out;
        for (const auto& p : products.list(query).items) {
            out.insert(p.name);
        }
        return out;
    };
    EXPECT_EQ(names("%"), std::set<std::string>{"100% cotton shirt"});
    EXPECT_EQ(names("' OR 1=1 --"), std::set<std::string>{"Tom's ' OR 1=1 -- special"});
    EXPECT_EQ(names("_"), std::set<std::string>{"snake_case mug"});
    EXPECT_EQ(names("\\"), std::set<std::string>{"back\\slash poster"});
    EXPECT_EQ(names("cotton").size(), 2U);
    EXPECT_EQ(names("about snake").size(), 2U);  // descriptions are searched too
    EXPECT_TRUE(names("'; DROP TABLE products; --").empty());
    EXPECT_EQ(products.count_products(), 7);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, ProductRepositoryTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ carts

using CartRepositoryTest = SqlTest;

TEST_P(CartRepositoryTest, AddingTheSameProductMergesQuantitiesUpToTheLimit) {
    SqlCartRepository carts(*db_);
    const auto uid = make_user("ivy");
    const auto pid = make_product("pen", 500, 100);
    EXPECT_EQ(carts.add(uid, pid, 2, 99, kNow), 2);
    EXPECT_EQ(carts.add(uid, pid, 3, 99, kNow), 5);
    EXPECT_EQ(carts.add(uid, pid, 95, 99, kNow), std::nullopt);
    EXPECT_EQ(carts.add(uid, pid, 94, 99, kNow), 99);
    EXPECT_EQ(carts.add(uid + 999, pid, 100, 99, kNow), std::nullopt);
    auto lines = carts.list(uid);
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].quantity, 99);
}

TEST_P(CartRepositoryTest, LinesCarryLiveProductFieldsNewestFirst) {
    SqlCartRepository carts(*db_);
    SqlProductRepository products(*db_);
    const auto uid = make_user("jack");
    const auto a = make_product("apple", 300, 7);
    const auto b = make_product("banana", 200, 0);
    carts.add(uid, a, 1, 99, kNow);
    carts.add(uid, b, 2, 99, kNow + 1s);
    domain::ProductPatch reprice;
    reprice.price = 350;
    products.update(a, reprice, kNow);
    products.soft_delete(b, kNow);
    auto lines = carts.list(uid);
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0].product_id, b);
    EXPECT_TRUE(lines[0].product_deleted);
    EXPECT_EQ(lines[1].name, "apple");
    EXPECT_EQ(lines[1].price, 350);
    EXPECT_EQ(lines[1].stock, 7);
    EXPECT_EQ(lines[1].status, domain::ProductStatus::kOnSale);
    EXPECT_EQ(lines[1].image_url, "/images/products/x.svg");
}

TEST_P(CartRepositoryTest, QuantityCanBeSetAndLinesRemovedOrCleared) {
    SqlCartRepository carts(*db_);
    const auto uid = make_user("kate");
    const auto a = make_product("a", 1, 1);
    const auto b = make_product("b", 1, 1);
    carts.add(uid, a, 1, 99, kNow);
    carts.add(uid, b, 1, 99, kNow);
    EXPECT_TRUE(carts.set_quantity(uid, a, 7, kNow));
    EXPECT_TRUE(carts.set_quantity(uid, a, 7, kNow));  // unchanged value still counts as found
    EXPECT_FALSE(carts.set_quantity(uid, a + b + 100, 7, kNow));
    EXPECT_TRUE(carts.remove(uid, b));
    EXPECT_FALSE(carts.remove(uid, b));
    ASSERT_EQ(carts.list(uid).size(), 1U);
    EXPECT_EQ(carts.list(uid)[0].quantity, 7);
    EXPECT_EQ(carts.clear(uid), 1);
    EXPECT_TRUE(carts.list(uid).empty());
}

TEST_P(CartRepositoryTest, ConcurrentAddsNeverPushALinePastTheLimit) {
    SqlCartRepository carts(*db_);
    const auto uid = make_user("leo");
    const auto pid = make_product("cup", 100, 1000);
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 20; ++i) {
        threads.emplace_back([&] {
            if (carts.add(uid, pid, 10, 99, kNow)) {
                accepted++;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(accepted.load(), 9);
    EXPECT_EQ(carts.list(uid).at(0).quantity, 90);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, CartRepositoryTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ orders

using OrderRepositoryTest = SqlTest;

TEST_P(OrderRepositoryTest, PlacingAnOrderTakesStockAndRecordsEveryLine) {
    SqlOrderRepository orders(*db_);
    const auto uid = make_user("mia");
    const auto phone = make_product("phone", 599900, 10);
    const auto phone_case = make_product("case", 4900, 10);
    auto placed = orders.place({"ORD1", uid, {{phone, 1}, {phone_case, 2}}, kNow, kNow + 15min, false});
    ASSERT_TRUE(placed) << placed.error().message;
    EXPECT_GT(placed->id, 0);
    EXPECT_EQ(placed->total_price, 599900 + 2 * 4900);
    EXPECT_EQ(placed->quantity, 3);
    EXPECT_EQ(placed->product_id, phone);
    EXPECT_EQ(placed->product_name, "phone");
    EXPECT_EQ(placed->status, domain::OrderStatus::kAwaitingPayment);

    auto stored = orders.find("ORD1", uid);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->total_price, placed->total_price);
    EXPECT_EQ(stored->expires_at, kNow + 15min);
    EXPECT_FALSE(stored->paid_at);
    ASSERT_EQ(stored->items.size(), 2U);
    EXPECT_EQ(stored->items[1].product_id, phone_case);
    EXPECT_EQ(stored->items[1].quantity, 2);
    EXPECT_EQ(stored->items[1].unit_price, 4900);
    EXPECT_EQ(product(phone).stock, 9);
    EXPECT_EQ(product(phone_case).stock, 8);
    EXPECT_EQ(product(phone_case).sales, 2);
    EXPECT_FALSE(orders.find("ORD1", uid + 1));  // someone else's order
    EXPECT_TRUE(orders.find("ORD1", 0));         // admin view
}

TEST_P(OrderRepositoryTest, OrderIsAllOrNothingWhenTheSecondLineLacksStock) {
    SqlOrderRepository orders(*db_);
    SqlCartRepository carts(*db_);
    const auto uid = make_user("nina");
    const auto plenty = make_product("plenty", 100, 10);
    const auto scarce = make_product("scarce", 100, 1);
    carts.add(uid, plenty, 2, 99, kNow);
    carts.add(uid, scarce, 2, 99, kNow);
    auto result = orders.place({"ORD2", uid, {{plenty, 2}, {scarce, 2}}, kNow, kNow + 15min, true});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInsufficientStock);
    EXPECT_EQ(result.error().field, std::to_string(scarce));
    EXPECT_EQ(product(plenty).stock, 10);
    EXPECT_EQ(product(plenty).sales, 0);
    EXPECT_EQ(product(scarce).stock, 1);
    EXPECT_FALSE(orders.find("ORD2", 0));
    EXPECT_EQ(carts.list(uid).size(), 2U);  // the cart lines are given back too
}

TEST_P(OrderRepositoryTest, CheckoutRefusesWhenTheCartNoLongerHoldsTheLines) {
    SqlOrderRepository orders(*db_);
    SqlCartRepository carts(*db_);
    const auto uid = make_user("otto");
    const auto item = make_product("item", 100, 10);
    carts.add(uid, item, 1, 99, kNow);
    auto changed = orders.place({"ORD3", uid, {{item, 2}}, kNow, kNow + 15min, true});
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::kNothingToCheckout);
    EXPECT_EQ(product(item).stock, 10);
    ASSERT_TRUE(orders.place({"ORD4", uid, {{item, 1}}, kNow, kNow + 15min, true}));
    auto again = orders.place({"ORD5", uid, {{item, 1}}, kNow, kNow + 15min, true});
    ASSERT_FALSE(again);
    EXPECT_EQ(product(item).stock, 9);
}

TEST_P(OrderRepositoryTest, RefusalsSayWhetherTheProductIsMissingOrDeletedOrNotOnSale) {
    SqlOrderRepository orders(*db_);
    SqlProductRepository products(*db_);
    const auto uid = make_user("olga");
    const auto off = make_product("off", 100, 5, domain::ProductStatus::kOffShelf);
    const auto gone = make_product("gone", 100, 5);
    products.soft_delete(gone, kNow);
    EXPECT_EQ(orders.place({"ORD3", uid, {{off, 1}}, kNow, kNow, false}).error().code, ErrorCode::kProductUnavailable);
    EXPECT_EQ(orders.place({"ORD4", uid, {{gone, 1}}, kNow, kNow, false}).error().code, ErrorCode::kProductNotFound);
    EXPECT_EQ(
        orders.place({"ORD5", uid, {{gone + 100, 1}}, kNow, kNow, false}).error().code, ErrorCode::kProductNotFound
    );
}

TEST_P(OrderRepositoryTest, CheckoutRemovesTheBoughtLinesFromTheCart) {
    SqlOrderRepository orders(*db_);
    SqlCartRepository carts(*db_);
    const auto uid = make_user("pete");
    const auto a = make_product("a", 100, 5);
    const auto b = make_product("b", 100, 5);
    carts.add(uid, a, 2, 99, kNow);
    carts.add(uid, b, 1, 99, kNow);
    ASSERT_TRUE(orders.place({"ORD6", uid, {{a, 2}}, kNow, kNow + 15min, true}));
    auto lines = carts.list(uid);
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_EQ(lines[0].product_id, b);
}

TEST_P(OrderRepositoryTest, TwoHundredConcurrentSingleUnitOrdersOnStockFiftySellExactlyFifty) {
    SqlOrderRepository orders(*db_);
    const auto uid = make_user("crowd");
    const auto hot = make_product("flash sale phone", 99900, 50);
    std::atomic<int> sold{0};
    std::atomic<int> refused{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 200; ++i) {
        threads.emplace_back([&, i] {
            try {
                auto r = orders.place({"ORDC" + std::to_string(i), uid, {{hot, 1}}, kNow, kNow + 15min, false});
                if (r) {
                    sold++;
                } else if (r.error().code == ErrorCode::kInsufficientStock) {
                    refused++;
                }
            } catch (const std::exception&) {
                failed++;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(sold.load(), 50);
    EXPECT_EQ(refused.load(), 150);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(product(hot).stock, 0);
    EXPECT_EQ(product(hot).sales, 50);
    domain::OrderQuery query;
    query.page_size = 100;
    EXPECT_EQ(orders.list(query).total, 50);
}

TEST_P(OrderRepositoryTest, CancellingReturnsTheStockExactlyOnce) {
    SqlOrderRepository orders(*db_);
    const auto uid = make_user("quinn");
    const auto a = make_product("a", 100, 10);
    const auto b = make_product("b", 100, 10);
    ASSERT_TRUE(orders.place({"ORD7", uid, {{a, 3}, {b, 1}}, kNow, kNow + 15min, false}));
    EXPECT_TRUE(orders.cancel("ORD7", kNow + 1min));
    EXPECT_FALSE(orders.cancel("ORD7", kNow + 2min));
    EXPECT_EQ(product(a).stock, 10);
    EXPECT_EQ(product(a).sales, 0);
    EXPECT_EQ(product(b).stock, 10);
    EXPECT_EQ(orders.find("ORD7", uid)->status, domain::OrderStatus::kCancelled);
    EXPECT_FALSE(orders.cancel("no-such-order", kNow));
}

TEST_P(OrderRepositoryTest, OnlyAnOrderAwaitingPaymentCanBePaidAndPaidOrdersCannotBeCancelled) {
    SqlOrderRepository orders(*db_);
    const auto uid = make_user("rita");
    const auto a = make_product("a", 100, 10);
    ASSERT_TRUE(orders.place({"ORD8", uid, {{a, 1}}, kNow, kNow + 15min, false}));
    EXPECT_TRUE(orders.mark_paid("ORD8", domain::PayType::kDemo, kNow + 1min));
    EXPECT_FALSE(orders.mark_paid("ORD8", domain::PayType::kDemo, kNow + 2min));
    EXPECT_FALSE(orders.cancel("ORD8", kNow + 3min));
    auto paid = orders.find("ORD8", uid);
    EXPECT_EQ(paid->status, domain::OrderStatus::kPaid);
    EXPECT_EQ(paid->pay_type, domain::PayType::kDemo);
    EXPECT_EQ(paid->paid_at, kNow + 1min);
    EXPECT_EQ(product(a).stock, 9);
}

TEST_P(OrderRepositoryTest, ListingIsNewestFirstAndFiltersByUserAndStatus) {
    SqlOrderRepository orders(*db_);
    const auto u1 = make_user("sam");
    const auto u2 = make_user("tina");
    const auto a = make_product("a", 100, 100);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(orders.place({"ORDL" + std::to_string(i), u1, {{a, 1}}, kNow + i * 1s, kNow + 1h, false}));
    }
    ASSERT_TRUE(orders.place({"ORDL9", u2, {{a, 1}}, kNow, kNow + 1h, false}));
    orders.cancel("ORDL1", kNow);

    domain::OrderQuery query;
    query.user_id = u1;
    query.page_size = 2;
    auto first = orders.list(query);
    EXPECT_EQ(first.total, 5);
    ASSERT_EQ(first.items.size(), 2U);
    EXPECT_EQ(first.items[0].order_no, "ORDL4");
    EXPECT_EQ(first.items[0].items.size(), 1U);
    query.page = 3;
    auto last = orders.list(query);
    ASSERT_EQ(last.items.size(), 1U);
    EXPECT_EQ(last.items[0].order_no, "ORDL0");

    query = {};
    query.status = domain::OrderStatus::kCancelled;
    auto cancelled = orders.list(query);
    ASSERT_EQ(cancelled.total, 1);
    EXPECT_EQ(cancelled.items[0].order_no, "ORDL1");
    query = {};
    EXPECT_EQ(orders.list(query).total, 6);
}

TEST_P(OrderRepositoryTest, ExpiredUnpaidOrdersAreListedOldestFirst) {
    SqlOrderRepository orders(*db_);
    const auto uid = make_user("uma");
    const auto a = make_product("a", 100, 100);
    ASSERT_TRUE(orders.place({"ORDE1", uid, {{a, 1}}, kNow, kNow + 2min, false}));
    ASSERT_TRUE(orders.place({"ORDE2", uid, {{a, 1}}, kNow, kNow + 1min, false}));
    ASSERT_TRUE(orders.place({"ORDE3", uid, {{a, 1}}, kNow, kNow + 10min, false}));
    ASSERT_TRUE(orders.place({"ORDE4", uid, {{a, 1}}, kNow, kNow + 1min, false}));
    orders.mark_paid("ORDE4", domain::PayType::kDemo, kNow);
    EXPECT_EQ(orders.expired_unpaid(kNow + 5min, 10), (std::vector<std::string>{"ORDE2", "ORDE1"}));
    EXPECT_EQ(orders.expired_unpaid(kNow + 5min, 1), (std::vector<std::string>{"ORDE2"}));
    EXPECT_TRUE(orders.expired_unpaid(kNow, 10).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Backends, OrderRepositoryTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

}  // namespace
}  // namespace gomall::adapters::sql
