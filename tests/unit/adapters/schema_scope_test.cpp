// A database per service: which statements of the schema's history run where, and what a database
// of one service's own ends up holding (MariaDB, when GOMALL_TEST_MYSQL_* is set).
#include "adapters/sql/schema_scope.hpp"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/sql/migrations.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/schema_split.hpp"
#include "adapters/sql/seckill_repository.hpp"
#include "adapters/sql/sql_util.hpp"
#include "unit/adapters/sql_test_database.hpp"

namespace gomall::adapters::sql {
namespace {

using testing::Backend;
using testing::backend_name;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

TEST(SchemaScope, ReadsTheTableOfEveryStatementShapeTheHistoryUses) {
    EXPECT_EQ(table_of_statement("CREATE TABLE users (\n id INT)"), "users");
    EXPECT_EQ(table_of_statement("CREATE TABLE IF NOT EXISTS seckill_activities (id BIGINT)"), "seckill_activities");
    EXPECT_EQ(table_of_statement("CREATE UNIQUE INDEX ux_users_username ON users (username)"), "users");
    EXPECT_EQ(table_of_statement("CREATE INDEX IF NOT EXISTS ix_a ON products (deleted, id)"), "products");
    EXPECT_EQ(table_of_statement("ALTER TABLE orders ADD COLUMN seckill_activity_id BIGINT NULL"), "orders");
    EXPECT_EQ(
        table_of_statement("INSERT IGNORE INTO replica_heartbeat (id, beat_ms) VALUES (1, 0)"), "replica_heartbeat"
    );
    EXPECT_EQ(table_of_statement("insert into Categories (name) values ('x')"), "categories");
    EXPECT_EQ(table_of_statement("UPDATE products SET stock = 0"), "products");
    // Shapes with no one table: the runner refuses them in a database of some owners only.
    EXPECT_EQ(table_of_statement("SET SESSION foreign_key_checks = 0"), "");
    EXPECT_EQ(table_of_statement("CREATE INDEX ix_orphan"), "");
    EXPECT_EQ(table_of_statement(""), "");
}

TEST(SchemaScope, EveryStatementOfEveryMigrationBelongsToOneService) {
    for (const Dialect dialect : {Dialect::kSqlite, Dialect::kMysql}) {
        for (const Migration& migration : migrations_for(dialect)) {
            for (const auto statement : split_sql_statements(migration.sql)) {
                const std::string table = table_of_statement(statement);
                EXPECT_TRUE(owner_of_table(table).has_value())
                    << "migration " << migration.version << ": '" << statement.substr(0, 80) << "' (table '" << table
                    << "') has no owner in adapters/sql/schema_scope.cpp";
            }
        }
    }
}

TEST(SchemaScope, OwnersOfTheTablesEachServiceUses) {
    EXPECT_EQ(owner_of_table("users"), TableOwner::kAccounts);
    EXPECT_EQ(owner_of_table("cart_items"), TableOwner::kCatalogue);
    EXPECT_EQ(owner_of_table("stock_reservations"), TableOwner::kCatalogue);
    EXPECT_EQ(owner_of_table("stock_releases"), TableOwner::kOrders);
    EXPECT_EQ(owner_of_table("payment_attempts"), TableOwner::kOrders);
    EXPECT_EQ(owner_of_table("flash_sale_order_outbox"), TableOwner::kFlashSale);
    EXPECT_EQ(owner_of_table("schema_migrations"), TableOwner::kEvery);
    EXPECT_FALSE(owner_of_table("no_such_table").has_value());
    EXPECT_FALSE(owner_of_table("").has_value());

    const auto orders = SchemaScope::owned_by({TableOwner::kOrders});
    EXPECT_FALSE(orders.is_whole());
    EXPECT_TRUE(orders.includes(TableOwner::kOrders));
    EXPECT_TRUE(orders.includes(TableOwner::kEvery));
    EXPECT_FALSE(orders.includes(TableOwner::kAccounts));
    EXPECT_TRUE(SchemaScope::whole().includes(TableOwner::kFlashSale));
    EXPECT_EQ(orders.description(), "own tables: orders");
    EXPECT_EQ(SchemaScope::owned_by({}).description(), "own tables: none (the ledger only)");
}

TEST(SchemaScope, SqliteKeepsTheWholeSchema) {
    const auto dir = testing::unique_temp_dir();
    DatabaseSettings settings;
    settings.driver = "sqlite";
    settings.sqlite_path = (dir / "gomall.db").string();
    Database db(settings);
    EXPECT_THROW(apply_migrations(db, SchemaScope::owned_by({TableOwner::kOrders})), std::runtime_error);
    EXPECT_EQ(schema_version(db), 0);
    std::filesystem::remove_all(dir);
}

// The activities made before the snapshot existed get it from the products in the same database.
class SnapshotBackfillTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (!test_db_.open(GetParam(), 2)) {
            GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
        }
    }
    testing::TestDatabase test_db_;
};

TEST_P(SnapshotBackfillTest, OlderActivitiesGetTheirProductsNameImageAndPriceOnce) {
    Database& db = *test_db_.get();
    SqlProductRepository products(db);
    domain::NewProduct phone;
    phone.name = "Phone";
    phone.description = "a phone";
    phone.price = 599900;
    phone.stock = 10;
    phone.image_url = "/uploads/phone.png";
    const auto product_id = products.create(phone, kNow);
    SqlSeckillRepository seckill(db);
    domain::SeckillActivity activity;
    activity.product_id = product_id;
    activity.price = 99900;
    activity.total_stock = 5;
    activity.start_time = kNow;
    activity.end_time = kNow + std::chrono::hours(1);
    const auto activity_id = seckill.create_activity(activity, kNow);  // no snapshot: as before version 11
    ASSERT_EQ(seckill.find_activity(activity_id)->product_name, "");

    SessionLease session = db.lease();
    copy_product_snapshots(*session, db.dialect());
    auto filled = seckill.find_activity(activity_id);
    ASSERT_TRUE(filled.has_value());
    EXPECT_EQ(filled->product_name, "Phone");
    EXPECT_EQ(filled->product_image, "/uploads/phone.png");
    EXPECT_EQ(filled->original_price, 599900);

    // Run again after the product changed: a snapshot once taken stays (the sale was made of it).
    domain::ProductPatch rename;
    rename.name = "Phone 2";
    products.update(product_id, rename, kNow);
    copy_product_snapshots(*session, db.dialect());
    EXPECT_EQ(seckill.find_activity(activity_id)->product_name, "Phone");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, SnapshotBackfillTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ MariaDB: a database per service

struct OwnDatabase {
    std::string name;
    std::unique_ptr<Database> db;
};

/// A fresh database `gomall_scope_<suffix>` on the test server (the test user may create gomall_*).
std::optional<OwnDatabase> fresh_database(const std::string& suffix) {
    auto settings = testing::mysql_settings_from_env(1);
    if (!settings) {
        return std::nullopt;
    }
    const std::string name = "gomall_scope_" + suffix;
    {
        Database server(*settings);
        SessionLease session = server.lease();
        *session << "DROP DATABASE IF EXISTS " + name;
        *session << "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
    }
    settings->mysql_database = name;
    return OwnDatabase{name, std::make_unique<Database>(*settings)};
}

void drop_database(const OwnDatabase& own) {
    SessionLease session = own.db->lease();
    *session << "DROP DATABASE IF EXISTS " + own.name;
}

std::set<std::string> tables_in(Database& db) {
    SessionLease session = db.lease();
    std::vector<std::string> names(200);
    *session << "SELECT LOWER(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
        soci::into(names);
    return {names.begin(), names.end()};
}

/// "table -> referenced table" for every foreign key in the database.
std::set<std::string> foreign_keys_in(Database& db) {
    SessionLease session = db.lease();
    std::vector<std::string> tables(200);
    std::vector<std::string> referenced(200);
    *session << "SELECT LOWER(TABLE_NAME), LOWER(REFERENCED_TABLE_NAME) FROM "
                "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
        soci::into(tables), soci::into(referenced);
    std::set<std::string> out;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        out.insert(tables[i] + " -> " + referenced[i]);
    }
    return out;
}

TEST(DatabasePerService, EachServiceDatabaseHoldsItsOwnTablesAndNoKeyToAnother) {
    struct Case {
        std::string suffix;
        TableOwner owner;
        std::set<std::string> tables;
        std::set<std::string> keys;
    };
    const std::set<std::string> ledger{"schema_migrations", "replica_heartbeat"};
    const std::vector<Case> cases{
        {"accounts",
         TableOwner::kAccounts,
         {"users", "refresh_tokens", "revoked_access_tokens", "user_session_cutoffs"},
         {"refresh_tokens -> users"}},
        {"catalogue",
         TableOwner::kCatalogue,
         {"categories",
          "products",
          "product_search_grams",
          "cart_items",
          "stock_reservations",
          "stock_reservation_lines"},
         {"products -> categories", "cart_items -> products"}},
        {"orders",
         TableOwner::kOrders,
         {"orders",
          "order_items",
          "order_placements",
          "stock_releases",
          "payment_attempts",
          "payment_refunds",
          "payment_records"},
         {"order_items -> orders"}},
        {"flash_sale",
         TableOwner::kFlashSale,
         {"seckill_activities", "seckill_reservations", "flash_sale_order_outbox"},
         {"seckill_reservations -> seckill_activities"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.suffix);
        auto own = fresh_database(c.suffix);
        if (!own) {
            GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
        }
        const auto scope = SchemaScope::owned_by({c.owner});
        EXPECT_EQ(apply_migrations(*own->db, scope), static_cast<int>(migrations_for(Dialect::kMysql).size()));
        EXPECT_EQ(apply_migrations(*own->db, scope), 0);
        EXPECT_EQ(schema_version(*own->db), migrations_for(Dialect::kMysql).back().version);
        std::set<std::string> expected = c.tables;
        expected.insert(ledger.begin(), ledger.end());
        EXPECT_EQ(tables_in(*own->db), expected);
        EXPECT_EQ(foreign_keys_in(*own->db), c.keys);
        drop_database(*own);
    }
}

TEST(DatabasePerService, TheWholeSchemaKeepsOnlyKeysWithinOneService) {
    auto own = fresh_database("whole");
    if (!own) {
        GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
    }
    apply_migrations(*own->db);
    EXPECT_EQ(
        foreign_keys_in(*own->db),
        (std::set<std::string>{
            "refresh_tokens -> users",
            "products -> categories",
            "cart_items -> products",
            "order_items -> orders",
            "seckill_reservations -> seckill_activities"})
    );
    drop_database(*own);
}

TEST(DatabasePerService, AGatewayDatabaseHasOnlyTheLedger) {
    auto own = fresh_database("gateway");
    if (!own) {
        GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
    }
    apply_migrations(*own->db, SchemaScope::owned_by({}));
    EXPECT_EQ(tables_in(*own->db), (std::set<std::string>{"schema_migrations", "replica_heartbeat"}));
    drop_database(*own);
}

}  // namespace
}  // namespace gomall::adapters::sql
