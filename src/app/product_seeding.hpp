// Bulk-loading the generated catalogue into the SQL database (gomall seed-products N).
#pragma once

#include <ostream>

#include "adapters/sql/database.hpp"
#include "app/config.hpp"

namespace gomall::app {

inline constexpr long long kMaxSeededProducts = 1'000'000;

/// Adds `count` generated products (generated_catalog.hpp) with their search index rows, five
/// thousand per transaction, after any products already there (numbering continues, so a second
/// run adds new products). Creates the categories it needs. Writes a progress line now and then
/// to `progress`. Returns how many it added. Meant for a database of one connection: on SQLite
/// that connection gets a large page cache for the load.
long long seed_generated_products(adapters::sql::Database& db, long long count, std::ostream& progress);

/// The command: opens the configured database, applies pending migrations, then seeds as above.
long long seed_products(const Config& config, long long count, std::ostream& progress);

}  // namespace gomall::app
