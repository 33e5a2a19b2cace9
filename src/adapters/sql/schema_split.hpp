// The data steps of the migrations that let each service's tables live in a database of their own
// (versions 11 and 12). Both are repeatable and look before they act: the same version runs in a
// database with the whole schema and in one with only some services' tables.
#pragma once

#include <soci/soci.h>

#include "adapters/sql/database.hpp"

namespace gomall::adapters::sql {

/// Fills the product snapshot of the flash sales made before there was one, from `products`,
/// where that table is in this database (a flash-sale database of its own has no older sales).
void copy_product_snapshots(soci::session& session, Dialect dialect);

/// Drops the foreign keys from one service's tables to another's where they exist (MySQL/MariaDB).
/// SQLite keeps them: its database is one process's, with every table in it.
void drop_keys_across_owners(soci::session& session, Dialect dialect);

}  // namespace gomall::adapters::sql
