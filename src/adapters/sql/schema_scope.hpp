// Which tables a database holds. One process (or services sharing one database) keeps the whole
// schema; in services mode each role may keep only the tables of the service that owns them, in a
// database of its own, so no service can read another's tables even by mistake.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace gomall::adapters::sql {

/// The service whose tables these are.
enum class TableOwner {
    kAccounts,   // users and their tokens: the user service
    kCatalogue,  // products, categories, carts, stock taken by orders: the catalogue service
    kOrders,     // orders, payments, placements and stock releases: the order service
    kFlashSale,  // activities, reservations, the flash-sale order outbox: the seckill service
    kEvery,      // the migration ledger and the replica heartbeat: in every database
};

/// The owner of a table of the schema; nullopt for a table this schema does not have.
std::optional<TableOwner> owner_of_table(std::string_view table);

/// The table a migration statement creates, changes or fills (CREATE TABLE, CREATE INDEX ... ON,
/// ALTER TABLE, INSERT [IGNORE] INTO, UPDATE), lower-cased; empty if the statement is none of those.
std::string table_of_statement(std::string_view statement);

class SchemaScope {
public:
    /// Every table (the default).
    static SchemaScope whole() { return SchemaScope(); }
    /// Only these owners' tables (and the ones every database has).
    static SchemaScope owned_by(std::set<TableOwner> owners);

    bool is_whole() const { return whole_; }
    bool includes(TableOwner owner) const { return whole_ || owner == TableOwner::kEvery || owners_.contains(owner); }
    /// For the log: "whole schema" or "own tables: accounts, ...".
    std::string description() const;

private:
    SchemaScope() = default;
    bool whole_ = true;
    std::set<TableOwner> owners_;
};

}  // namespace gomall::adapters::sql
