// The schema history of both dialects and the runner that brings a database up to date.
// Never edit a released migration: add a new version instead.
#include "adapters/sql/migrations.hpp"

#include <stdexcept>
#include <string>

#include "adapters/sql/schema_split.hpp"
#include "adapters/sql/search_index.hpp"

namespace gomall::adapters::sql {
namespace {

// Times are UTC "YYYY-MM-DD HH:MM:SS" (TEXT on SQLite, DATETIME on MySQL); money is integer cents.
// users.failed_logins and users.locked_until belonged to the old account lockout and are no longer read or
// written (failed logins are throttled in memory, services/login_throttle.hpp). The columns stay: released
// migrations are not edited, and dropping them would gain nothing.
constexpr std::string_view kSqliteAccounts = R"sql(
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL COLLATE NOCASE,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_users_username ON users (username);
CREATE INDEX ix_users_role ON users (role);
CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
CREATE INDEX ix_revoked_access_tokens_expires ON revoked_access_tokens (expires_at);
CREATE TABLE user_session_cutoffs (
    user_id INTEGER PRIMARY KEY,
    not_before TEXT NOT NULL
);
)sql";

constexpr std::string_view kSqliteCatalogue = R"sql(
CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_categories_name ON categories (name);
CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL DEFAULT 0,
    sales INTEGER NOT NULL DEFAULT 0,
    status INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    category_id INTEGER NULL REFERENCES categories (id),
    image_url TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (stock >= 0)
);
CREATE INDEX ix_products_listing ON products (deleted, status, created_at, id);
CREATE INDEX ix_products_category ON products (category_id);
CREATE INDEX ix_products_price ON products (price_cents);
CREATE INDEX ix_products_sales ON products (sales);
)sql";

constexpr std::string_view kSqliteOrders = R"sql(
CREATE TABLE cart_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_cart_items_user_product ON cart_items (user_id, product_id);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    product_id INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    product_image TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    status INTEGER NOT NULL,
    pay_type INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT NOT NULL,
    paid_at TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_orders_order_no ON orders (order_no);
CREATE INDEX ix_orders_user ON orders (user_id, created_at);
CREATE INDEX ix_orders_status_expires ON orders (status, expires_at);
CREATE INDEX ix_orders_created ON orders (created_at);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    product_image TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
);
CREATE INDEX ix_order_items_order ON order_items (order_id);
)sql";

constexpr std::string_view kMysqlAccounts = R"sql(
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(64) NOT NULL,
    email VARCHAR(255) NOT NULL DEFAULT '',
    phone VARCHAR(32) NOT NULL DEFAULT '',
    password_hash VARCHAR(255) NOT NULL,
    role INT NOT NULL DEFAULT 1,
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY ux_users_username (username),
    KEY ix_users_role (role)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE TABLE refresh_tokens (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    secret_hash VARCHAR(255) NOT NULL,
    user_id BIGINT NOT NULL,
    family_id VARCHAR(64) NOT NULL,
    expires_at DATETIME NOT NULL,
    used TINYINT NOT NULL DEFAULT 0,
    revoked TINYINT NOT NULL DEFAULT 0,
    KEY ix_refresh_tokens_family (family_id),
    KEY ix_refresh_tokens_user (user_id),
    KEY ix_refresh_tokens_expires (expires_at),
    CONSTRAINT fk_refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE revoked_access_tokens (
    jti VARCHAR(64) NOT NULL PRIMARY KEY,
    expires_at DATETIME NOT NULL,
    KEY ix_revoked_access_tokens_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE user_session_cutoffs (
    user_id BIGINT NOT NULL PRIMARY KEY,
    not_before DATETIME NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
)sql";

constexpr std::string_view kMysqlCatalogue = R"sql(
CREATE TABLE categories (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    UNIQUE KEY ux_categories_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE TABLE products (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    stock BIGINT NOT NULL DEFAULT 0,
    sales BIGINT NOT NULL DEFAULT 0,
    status INT NOT NULL DEFAULT 1,
    deleted TINYINT NOT NULL DEFAULT 0,
    category_id BIGINT NULL,
    image_url VARCHAR(500) NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    KEY ix_products_listing (deleted, status, created_at, id),
    KEY ix_products_category (category_id),
    KEY ix_products_price (price_cents),
    KEY ix_products_sales (sales),
    CONSTRAINT fk_products_category FOREIGN KEY (category_id) REFERENCES categories (id),
    CONSTRAINT ck_products_stock CHECK (stock >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
)sql";

constexpr std::string_view kMysqlOrders = R"sql(
CREATE TABLE cart_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity INT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY ux_cart_items_user_product (user_id, product_id),
    KEY ix_cart_items_product (product_id),
    CONSTRAINT fk_cart_items_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_cart_items_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE orders (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_no VARCHAR(32) NOT NULL,
    user_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    product_name VARCHAR(200) NOT NULL,
    product_image VARCHAR(500) NOT NULL DEFAULT '',
    quantity INT NOT NULL,
    total_cents BIGINT NOT NULL,
    status INT NOT NULL,
    pay_type INT NOT NULL DEFAULT 0,
    expires_at DATETIME NOT NULL,
    paid_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY ux_orders_order_no (order_no),
    KEY ix_orders_user (user_id, created_at),
    KEY ix_orders_status_expires (status, expires_at),
    KEY ix_orders_created (created_at),
    CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE TABLE order_items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    product_name VARCHAR(200) NOT NULL,
    product_image VARCHAR(500) NOT NULL DEFAULT '',
    quantity INT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    KEY ix_order_items_order (order_id),
    CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
)sql";

// Flash sales. A reservation's unit is counted in seckill_activities.sold (the oversell guard) and
// its order carries seckill_activity_id, so cancelling the order can return the unit to the sale.
constexpr std::string_view kSqliteSeckill = R"sql(
CREATE TABLE seckill_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    price_cents INTEGER NOT NULL,
    total_stock INTEGER NOT NULL,
    sold INTEGER NOT NULL DEFAULT 0,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    per_user_limit INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (sold >= 0)
);
CREATE INDEX ix_seckill_activities_product ON seckill_activities (product_id);
CREATE INDEX ix_seckill_activities_end ON seckill_activities (end_time);
CREATE TABLE seckill_reservations (
    id TEXT PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES seckill_activities (id),
    product_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    seq INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    status INTEGER NOT NULL,
    order_no TEXT NULL,
    fail_reason TEXT NULL,
    reserved_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_seckill_reservations_user_seq ON seckill_reservations (activity_id, user_id, seq);
CREATE INDEX ix_seckill_reservations_status ON seckill_reservations (activity_id, status);
CREATE INDEX ix_seckill_reservations_order ON seckill_reservations (order_no);
ALTER TABLE orders ADD COLUMN seckill_activity_id INTEGER NULL;
CREATE INDEX ix_orders_seckill_activity ON orders (seckill_activity_id);
)sql";

// MySQL commits each DDL statement on its own, so this version can be interrupted half-way; the
// ALTER (the one statement that cannot be repeated) goes first and the tables are created only if
// missing, so re-running the version after a failure, or over rebuilt older tables, succeeds.
constexpr std::string_view kMysqlSeckill = R"sql(
ALTER TABLE orders ADD COLUMN seckill_activity_id BIGINT NULL,
    ADD KEY ix_orders_seckill_activity (seckill_activity_id);
CREATE TABLE IF NOT EXISTS seckill_activities (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    product_id BIGINT NOT NULL,
    price_cents BIGINT NOT NULL,
    total_stock BIGINT NOT NULL,
    sold BIGINT NOT NULL DEFAULT 0,
    start_time DATETIME NOT NULL,
    end_time DATETIME NOT NULL,
    per_user_limit INT NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    KEY ix_seckill_activities_product (product_id),
    KEY ix_seckill_activities_end (end_time),
    CONSTRAINT fk_seckill_activities_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT ck_seckill_activities_sold CHECK (sold >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS seckill_reservations (
    id VARCHAR(32) NOT NULL PRIMARY KEY,
    activity_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    seq INT NOT NULL,
    price_cents BIGINT NOT NULL,
    status INT NOT NULL,
    order_no VARCHAR(32) NULL,
    fail_reason VARCHAR(200) NULL,
    reserved_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY ux_seckill_reservations_user_seq (activity_id, user_id, seq),
    KEY ix_seckill_reservations_status (activity_id, status),
    KEY ix_seckill_reservations_order (order_no),
    KEY ix_seckill_reservations_user (user_id),
    CONSTRAINT fk_seckill_reservations_activity FOREIGN KEY (activity_id) REFERENCES seckill_activities (id),
    CONSTRAINT fk_seckill_reservations_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
)sql";

// Payments: attempts (one per out_trade_no), refunds, and the append-only record of every
// exchange with the provider. orders.refunded_cents is the guard that keeps shopper refunds within
// what was paid (a conditional UPDATE, like stock); orders.paid_trade_no names the one trade that
// paid the order, set in the same UPDATE as the status, so any other paid trade is refunded.
constexpr std::string_view kSqlitePayments = R"sql(
ALTER TABLE orders ADD COLUMN refunded_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN paid_trade_no TEXT NULL;
CREATE TABLE payment_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    attempt_no INTEGER NOT NULL,
    out_trade_no TEXT NOT NULL,
    provider TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status INTEGER NOT NULL,
    code_url TEXT NOT NULL DEFAULT '',
    prepay_id TEXT NOT NULL DEFAULT '',
    transaction_id TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL,
    paid_at TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_payment_attempts_out_trade_no ON payment_attempts (out_trade_no);
CREATE UNIQUE INDEX ux_payment_attempts_order_attempt ON payment_attempts (order_no, attempt_no);
CREATE TABLE payment_refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    out_refund_no TEXT NOT NULL,
    order_no TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    provider TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status INTEGER NOT NULL,
    refund_id TEXT NOT NULL DEFAULT '',
    automatic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_payment_refunds_out_refund_no ON payment_refunds (out_refund_no);
CREATE INDEX ix_payment_refunds_order ON payment_refunds (order_no);
CREATE INDEX ix_payment_refunds_status ON payment_refunds (status, created_at);
CREATE TABLE payment_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    out_trade_no TEXT NOT NULL DEFAULT '',
    transaction_id TEXT NOT NULL DEFAULT '',
    out_refund_no TEXT NOT NULL DEFAULT '',
    refund_id TEXT NOT NULL DEFAULT '',
    amount_cents INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX ix_payment_records_order ON payment_records (order_no, id);
)sql";

// As for the flash-sale version: the ALTER first, then tables only if missing, so an interrupted
// run can be repeated.
constexpr std::string_view kMysqlPayments = R"sql(
ALTER TABLE orders ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN paid_trade_no VARCHAR(32) NULL;
CREATE TABLE IF NOT EXISTS payment_attempts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_no VARCHAR(32) NOT NULL,
    user_id BIGINT NOT NULL,
    attempt_no INT NOT NULL,
    out_trade_no VARCHAR(32) NOT NULL,
    provider VARCHAR(16) NOT NULL,
    amount_cents BIGINT NOT NULL,
    status INT NOT NULL,
    code_url VARCHAR(256) NOT NULL DEFAULT '',
    prepay_id VARCHAR(64) NOT NULL DEFAULT '',
    transaction_id VARCHAR(64) NOT NULL DEFAULT '',
    expires_at DATETIME NOT NULL,
    paid_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY ux_payment_attempts_out_trade_no (out_trade_no),
    UNIQUE KEY ux_payment_attempts_order_attempt (order_no, attempt_no)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE IF NOT EXISTS payment_refunds (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    out_refund_no VARCHAR(64) NOT NULL,
    order_no VARCHAR(32) NOT NULL,
    out_trade_no VARCHAR(32) NOT NULL,
    provider VARCHAR(16) NOT NULL,
    amount_cents BIGINT NOT NULL,
    status INT NOT NULL,
    refund_id VARCHAR(64) NOT NULL DEFAULT '',
    automatic INT NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE KEY ux_payment_refunds_out_refund_no (out_refund_no),
    KEY ix_payment_refunds_order (order_no),
    KEY ix_payment_refunds_status (status, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE TABLE IF NOT EXISTS payment_records (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_no VARCHAR(32) NOT NULL DEFAULT '',
    kind VARCHAR(16) NOT NULL,
    provider VARCHAR(16) NOT NULL,
    out_trade_no VARCHAR(64) NOT NULL DEFAULT '',
    transaction_id VARCHAR(64) NOT NULL DEFAULT '',
    out_refund_no VARCHAR(64) NOT NULL DEFAULT '',
    refund_id VARCHAR(64) NOT NULL DEFAULT '',
    amount_cents BIGINT NOT NULL DEFAULT 0,
    status VARCHAR(64) NOT NULL,
    detail VARCHAR(500) NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    KEY ix_payment_records_order (order_no, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
)sql";

// Listing by price or by sales used ix_products_listing for the filter and then sorted every listed
// product (68 ms on 100,000 products in SQLite); with the sort column after the filter columns the
// first page is read in index order (0.1 ms). IF NOT EXISTS on both, so an interrupted MySQL run
// (one commit per DDL statement) can be repeated.
constexpr std::string_view kListingIndexes = R"sql(
CREATE INDEX IF NOT EXISTS ix_products_listing_price ON products (deleted, status, price_cents, id);
CREATE INDEX IF NOT EXISTS ix_products_listing_sales ON products (deleted, status, sales, id);
)sql";

// Keyword search: one row per distinct unigram and bigram of a live product's name and description
// (adapters/sql/search_grams.hpp), so a search looks its keyword's grams up instead of scanning
// every product with LIKE. The backfill indexes the products already there.
constexpr std::string_view kSqliteSearchIndex = R"sql(
CREATE TABLE product_search_grams (
    gram TEXT NOT NULL,
    product_id INTEGER NOT NULL,
    PRIMARY KEY (gram, product_id)
) WITHOUT ROWID;
)sql";

// The gram column has the products' collation: a gram lookup then calls equal exactly what LIKE
// on name and description calls equal (case, accents), so the index never misses a LIKE match.
// Created only if missing and backfilled with rows already there kept, so a run interrupted
// between MySQL's self-committing statements can be repeated.
constexpr std::string_view kMysqlSearchIndex = R"sql(
CREATE TABLE IF NOT EXISTS product_search_grams (
    gram VARCHAR(2) NOT NULL,
    product_id BIGINT NOT NULL,
    PRIMARY KEY (gram, product_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
)sql";

// One row whose beat_ms (milliseconds since the Unix epoch) every instance with a read replica
// overwrites on the primary about twice a second; read on the replica, it says how far behind the
// replica is without any privilege beyond SELECT (adapters/sql/replica_monitor.hpp). SQLite never
// has a replica; it gets the table too so both dialects keep one version history.
constexpr std::string_view kSqliteReplicaHeartbeat = R"sql(
CREATE TABLE replica_heartbeat (
    id INTEGER PRIMARY KEY,
    beat_ms INTEGER NOT NULL
);
INSERT INTO replica_heartbeat (id, beat_ms) VALUES (1, 0);
)sql";

// IF NOT EXISTS and INSERT IGNORE: a run interrupted between MySQL's self-committing statements
// can be repeated.
constexpr std::string_view kMysqlReplicaHeartbeat = R"sql(
CREATE TABLE IF NOT EXISTS replica_heartbeat (
    id INT NOT NULL PRIMARY KEY,
    beat_ms BIGINT NOT NULL
) ENGINE = InnoDB;
INSERT IGNORE INTO replica_heartbeat (id, beat_ms) VALUES (1, 0);
)sql";

// Orders whose stock another service takes (services mode). The catalogue side records what each
// order took (stock_reservations, stock_reservation_lines; a reservation released before it was
// made stays as a released row with no lines, so a late reservation is refused). The order side
// records an order it has started to place (order_placements) until the order is written, and a
// cancelled order's stock still to be given back (stock_releases), so its sweeper can finish both
// after a crash or while the catalogue is away. No foreign keys: each side may live in its own
// database.
constexpr std::string_view kSqliteStockReservations = R"sql(
CREATE TABLE stock_reservations (
    order_no TEXT NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL,
    status INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE stock_reservation_lines (
    order_no TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    product_image TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    PRIMARY KEY (order_no, line_no)
);
CREATE TABLE order_placements (
    order_no TEXT NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_order_placements_created ON order_placements (created_at);
CREATE TABLE stock_releases (
    order_no TEXT NOT NULL PRIMARY KEY,
    created_at TEXT NOT NULL
);
)sql";

// IF NOT EXISTS: a run interrupted between MySQL's self-committing statements can be repeated.
constexpr std::string_view kMysqlStockReservations = R"sql(
CREATE TABLE IF NOT EXISTS stock_reservations (
    order_no VARCHAR(32) NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    status INT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS stock_reservation_lines (
    order_no VARCHAR(32) NOT NULL,
    line_no INT NOT NULL,
    product_id BIGINT NOT NULL,
    product_name VARCHAR(200) NOT NULL,
    product_image VARCHAR(500) NOT NULL DEFAULT '',
    quantity INT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    PRIMARY KEY (order_no, line_no)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS order_placements (
    order_no VARCHAR(32) NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_order_placements_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS stock_releases (
    order_no VARCHAR(32) NOT NULL PRIMARY KEY,
    created_at DATETIME NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
)sql";

// Flash-sale orders on their way to the order service (services mode): the seckill writer adds a
// row in the transaction that takes the unit, instead of writing the order tables, and its relay
// deletes the row once the order service has the order. No foreign keys, as above.
constexpr std::string_view kSqliteFlashSaleOutbox = R"sql(
CREATE TABLE flash_sale_order_outbox (
    order_no TEXT NOT NULL PRIMARY KEY,
    activity_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    product_image TEXT NOT NULL DEFAULT '',
    price_cents INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_flash_sale_order_outbox_created ON flash_sale_order_outbox (created_at);
)sql";

constexpr std::string_view kMysqlFlashSaleOutbox = R"sql(
CREATE TABLE IF NOT EXISTS flash_sale_order_outbox (
    order_no VARCHAR(32) NOT NULL PRIMARY KEY,
    activity_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    product_name VARCHAR(200) NOT NULL,
    product_image VARCHAR(500) NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL,
    expires_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    KEY ix_flash_sale_order_outbox_created (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
)sql";

// What a flash sale shows of its product (name, image, normal price), kept in the activity as an
// order keeps its lines': the seckill service never reads the catalogue's tables, which may be in
// another database. Taken when an activity is created; the backfill (adapters/sql/schema_split.hpp)
// copies it into the activities made before, where the products are in the same database.
constexpr std::string_view kSqliteActivitySnapshot = R"sql(
ALTER TABLE seckill_activities ADD COLUMN product_name TEXT NOT NULL DEFAULT '';
ALTER TABLE seckill_activities ADD COLUMN product_image TEXT NOT NULL DEFAULT '';
ALTER TABLE seckill_activities ADD COLUMN original_price_cents INTEGER NOT NULL DEFAULT 0;
)sql";

// One ALTER: MySQL applies it whole or not at all.
constexpr std::string_view kMysqlActivitySnapshot = R"sql(
ALTER TABLE seckill_activities ADD COLUMN product_name VARCHAR(200) NOT NULL DEFAULT '',
    ADD COLUMN product_image VARCHAR(500) NOT NULL DEFAULT '',
    ADD COLUMN original_price_cents BIGINT NOT NULL DEFAULT 0;
)sql";

// No statements: the foreign keys from one service's tables to another's (orders, carts and
// reservations to users; activities to products) are dropped by the migration's step where they
// exist, so each service's tables can live in a database of their own.
constexpr std::string_view kNoStatements;

// A flash-sale order the order service refuses as malformed is set aside in the outbox (kept, not
// sent again) instead of stopping every sweep behind it; an operator clears the mark.
constexpr std::string_view kSqliteOutboxSetAside = R"sql(
ALTER TABLE flash_sale_order_outbox ADD COLUMN set_aside_at TEXT NULL;
ALTER TABLE flash_sale_order_outbox ADD COLUMN set_aside_reason TEXT NULL;
)sql";

constexpr std::string_view kMysqlOutboxSetAside = R"sql(
ALTER TABLE flash_sale_order_outbox ADD COLUMN set_aside_at DATETIME NULL,
    ADD COLUMN set_aside_reason VARCHAR(500) NULL;
)sql";

constexpr std::string_view kSqliteLedger =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";
constexpr std::string_view kMysqlLedger =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, "
    "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4";

// MySQL commits implicitly around DDL, so a transaction cannot keep two starting processes
// apart there; a named server lock does.
constexpr std::string_view kMysqlLockName = "gomall_schema_migrations";
constexpr int kMysqlLockWaitSeconds = 120;

bool version_applied(soci::session& session, int version) {
    int count = 0;
    session << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(version), soci::into(count);
    return count > 0;
}

void run_statements(soci::session& session, const Migration& migration, const SchemaScope& scope) {
    for (std::string_view statement : split_sql_statements(migration.sql)) {
        if (!scope.is_whole()) {
            const std::string table = table_of_statement(statement);
            const auto owner = owner_of_table(table);
            if (!owner) {
                // Refused rather than guessed: run in the wrong database, it would be lost from the right one.
                throw std::runtime_error(
                    "migration " + std::to_string(migration.version) + " (" + std::string(migration.name) +
                    "): no owner is known for the table of '" + std::string(statement.substr(0, 60)) +
                    "' (adapters/sql/schema_scope.cpp)"
                );
            }
            if (!scope.includes(*owner)) {
                continue;
            }
        }
        try {
            session << std::string(statement);
        } catch (const soci::soci_error& e) {
            throw std::runtime_error(
                "migration " + std::to_string(migration.version) + " (" + std::string(migration.name) +
                ") failed: " + e.what()
            );
        }
    }
}

void run_backfill(soci::session& session, Dialect dialect, const Migration& migration, const SchemaScope& scope) {
    if (migration.backfill == nullptr || !scope.includes(migration.backfill_owner)) {
        return;
    }
    try {
        migration.backfill(session, dialect);
    } catch (const soci::soci_error& e) {
        throw std::runtime_error(
            "migration " + std::to_string(migration.version) + " (" + std::string(migration.name) +
            ") failed in its backfill: " + e.what()
        );
    }
}

void record_version(soci::session& session, const Migration& migration) {
    std::string name(migration.name);
    int version = migration.version;
    session << "INSERT INTO schema_migrations (version, name) VALUES (:v, :n)", soci::use(version), soci::use(name);
}

int apply_sqlite(Database& db, soci::session& session, const SchemaScope& scope) {
    session << std::string(kSqliteLedger);
    int applied = 0;
    for (const Migration& migration : migrations_for(Dialect::kSqlite)) {
        // BEGIN IMMEDIATE holds the write lock, so a second process waits here and then
        // finds the version recorded; SQLite DDL is transactional, so a failure leaves nothing behind.
        Transaction tx(session, db.dialect());
        if (version_applied(session, migration.version)) {
            continue;
        }
        run_statements(session, migration, scope);
        run_backfill(session, Dialect::kSqlite, migration, scope);
        record_version(session, migration);
        tx.commit();
        ++applied;
    }
    return applied;
}

int apply_mysql(soci::session& session, const SchemaScope& scope) {
    int locked = 0;
    soci::indicator lock_ind = soci::i_ok;
    std::string lock_name(kMysqlLockName);
    int wait = kMysqlLockWaitSeconds;
    session << "SELECT GET_LOCK(:name, :wait)", soci::use(lock_name), soci::use(wait), soci::into(locked, lock_ind);
    if (lock_ind != soci::i_ok || locked != 1) {
        throw std::runtime_error("could not take the schema migration lock within " + std::to_string(wait) + " s");
    }
    struct Unlock {
        soci::session& session;
        std::string& name;
        ~Unlock() {
            try {
                int released = 0;
                soci::indicator ind = soci::i_ok;
                session << "SELECT RELEASE_LOCK(:name)", soci::use(name), soci::into(released, ind);
            } catch (...) {  // NOLINT(bugprone-empty-catch): the lock dies with the connection anyway
            }
        }
    } unlock{session, lock_name};

    session << std::string(kMysqlLedger);
    // A database with only some services' tables: the released versions' foreign keys to another
    // service's tables (dropped again by version 12) name tables that are not here.
    struct KeyChecks {
        soci::session& session;
        bool off;
        ~KeyChecks() {
            if (off) {
                try {
                    session << "SET SESSION foreign_key_checks = 1";
                } catch (...) {  // NOLINT(bugprone-empty-catch): the setting dies with the connection anyway
                }
            }
        }
    } key_checks{session, !scope.is_whole()};
    if (key_checks.off) {
        session << "SET SESSION foreign_key_checks = 0";
    }
    int applied = 0;
    for (const Migration& migration : migrations_for(Dialect::kMysql)) {
        if (version_applied(session, migration.version)) {
            continue;
        }
        run_statements(session, migration, scope);
        run_backfill(session, Dialect::kMysql, migration, scope);
        record_version(session, migration);
        ++applied;
    }
    return applied;
}

}  // namespace

const std::vector<Migration>& migrations_for(Dialect dialect) {
    static const std::vector<Migration> kSqlite = {
        {1, "accounts and tokens", kSqliteAccounts},
        {2, "catalogue", kSqliteCatalogue},
        {3, "carts and orders", kSqliteOrders},
        {4, "flash sales", kSqliteSeckill},
        {5, "payments", kSqlitePayments},
        {6, "keyword search index", kSqliteSearchIndex, backfill_search_index, TableOwner::kCatalogue},
        {7, "listing indexes per sort", kListingIndexes},
        {8, "replica heartbeat", kSqliteReplicaHeartbeat},
        {9, "stock reserved for orders placed by another service", kSqliteStockReservations},
        {10, "flash-sale orders on their way to the order service", kSqliteFlashSaleOutbox},
        {11,
         "flash sales keep their product's name, image and price",
         kSqliteActivitySnapshot,
         copy_product_snapshots,
         TableOwner::kFlashSale},
        {12, "no foreign key between two services' tables", kNoStatements, drop_keys_across_owners},
        {13, "flash-sale orders the order service refused are set aside", kSqliteOutboxSetAside},
    };
    static const std::vector<Migration> kMysql = {
        {1, "accounts and tokens", kMysqlAccounts},
        {2, "catalogue", kMysqlCatalogue},
        {3, "carts and orders", kMysqlOrders},
        {4, "flash sales", kMysqlSeckill},
        {5, "payments", kMysqlPayments},
        {6, "keyword search index", kMysqlSearchIndex, backfill_search_index, TableOwner::kCatalogue},
        {7, "listing indexes per sort", kListingIndexes},
        {8, "replica heartbeat", kMysqlReplicaHeartbeat},
        {9, "stock reserved for orders placed by another service", kMysqlStockReservations},
        {10, "flash-sale orders on their way to the order service", kMysqlFlashSaleOutbox},
        {11,
         "flash sales keep their product's name, image and price",
         kMysqlActivitySnapshot,
         copy_product_snapshots,
         TableOwner::kFlashSale},
        {12, "no foreign key between two services' tables", kNoStatements, drop_keys_across_owners},
        {13, "flash-sale orders the order service refused are set aside", kMysqlOutboxSetAside},
    };
    return dialect == Dialect::kSqlite ? kSqlite : kMysql;
}

int apply_migrations(Database& db, const SchemaScope& scope) {
    if (!scope.is_whole() && db.dialect() == Dialect::kSqlite) {
        // SQLite enforces the released versions' foreign keys to tables that would not be there.
        throw std::runtime_error("a database with only some services' tables must be MySQL/MariaDB, not SQLite");
    }
    SessionLease lease = db.lease();
    return db.dialect() == Dialect::kSqlite ? apply_sqlite(db, *lease, scope) : apply_mysql(*lease, scope);
}

int schema_version(Database& db) {
    SessionLease lease = db.lease();
    soci::session& session = *lease;
    session << std::string(db.dialect() == Dialect::kSqlite ? kSqliteLedger : kMysqlLedger);
    int version = 0;
    soci::indicator ind = soci::i_ok;
    session << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
}

std::vector<std::string_view> split_sql_statements(std::string_view script) {
    std::vector<std::string_view> out;
    auto push = [&out](std::string_view piece) {
        const auto first = piece.find_first_not_of(" \t\r\n");
        if (first == std::string_view::npos) {
            return;
        }
        const auto last = piece.find_last_not_of(" \t\r\n");
        out.push_back(piece.substr(first, last - first + 1));
    };
    std::size_t start = 0;
    char quote = 0;
    for (std::size_t i = 0; i < script.size(); ++i) {
        const char c = script[i];
        if (quote != 0) {
            if (c == '\\' && i + 1 < script.size()) {
                ++i;
            } else if (c == quote) {
                quote = 0;
            }
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = c;
        } else if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
            const auto eol = script.find('\n', i);
            i = eol == std::string_view::npos ? script.size() : eol;
        } else if (c == ';') {
            push(script.substr(start, i - start));
            start = i + 1;
        }
    }
    push(script.substr(start));
    return out;
}

}  // namespace gomall::adapters::sql
