#include "adapters/sql/schema_split.hpp"

#include <array>
#include <string>
#include <string_view>

namespace gomall::adapters::sql {
namespace {

struct KeyAcrossOwners {
    std::string_view table;
    std::string_view name;
};

// Every foreign key of the released versions whose two tables belong to different services
// (adapters/sql/schema_scope.cpp). The ids they guarded are vouched for by the caller instead: a
// user id by the signed token the gateway checked, a product id by the catalogue service's answer.
constexpr std::array<KeyAcrossOwners, 4> kKeysAcrossOwners{{
    {"cart_items", "fk_cart_items_user"},
    {"orders", "fk_orders_user"},
    {"seckill_activities", "fk_seckill_activities_product"},
    {"seckill_reservations", "fk_seckill_reservations_user"},
}};

bool table_exists(soci::session& session, Dialect dialect, const std::string& table) {
    int count = 0;
    if (dialect == Dialect::kSqlite) {
        session << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = :t", soci::use(table),
            soci::into(count);
    } else {
        session << "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                   "TABLE_NAME = :t",
            soci::use(table), soci::into(count);
    }
    return count > 0;
}

}  // namespace

void copy_product_snapshots(soci::session& session, Dialect dialect) {
    if (!table_exists(session, dialect, "products")) {
        return;
    }
    // Only activities not filled yet, so a repeated run after an interruption changes nothing twice.
    session << "UPDATE seckill_activities SET "
               "product_name = (SELECT p.name FROM products p WHERE p.id = seckill_activities.product_id), "
               "product_image = (SELECT p.image_url FROM products p WHERE p.id = seckill_activities.product_id), "
               "original_price_cents = "
               "(SELECT p.price_cents FROM products p WHERE p.id = seckill_activities.product_id) "
               "WHERE product_name = '' AND "
               "EXISTS (SELECT 1 FROM products p WHERE p.id = seckill_activities.product_id)";
}

void drop_keys_across_owners(soci::session& session, Dialect dialect) {
    if (dialect != Dialect::kMysql) {
        return;
    }
    for (const auto& key : kKeysAcrossOwners) {
        std::string table(key.table);
        std::string name(key.name);
        int count = 0;
        session << "SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() "
                   "AND TABLE_NAME = :t AND CONSTRAINT_NAME = :n AND CONSTRAINT_TYPE = 'FOREIGN KEY'",
            soci::use(table), soci::use(name), soci::into(count);
        if (count > 0) {
            // Names from the list above, never from input.
            session << "ALTER TABLE " + table + " DROP FOREIGN KEY " + name;
        }
    }
}

}  // namespace gomall::adapters::sql
