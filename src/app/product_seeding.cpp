// The seed-products loop: batches of generated products through the SQL product repository.
#include "app/product_seeding.hpp"

#include <chrono>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/migrations.hpp"
#include "adapters/sql/product_repository.hpp"
#include "app/database_settings.hpp"
#include "app/generated_catalog.hpp"

namespace gomall::app {
namespace {

constexpr long long kBatch = 5000;
// SQLite: a page cache big enough for one batch's index pages, so they are written once per
// commit rather than spilled and rewritten (this one loader connection only).
constexpr const char* kSqliteBulkCache = "PRAGMA cache_size = -262144";  // KiB: 256 MiB
constexpr long long kReportEvery = 10000;

}  // namespace

long long seed_generated_products(adapters::sql::Database& db, long long count, std::ostream& progress) {
    if (db.dialect() == adapters::sql::Dialect::kSqlite) {
        *db.lease() << kSqliteBulkCache;  // the one connection (seed_products opens no more)
    }
    adapters::sql::SqlProductRepository products(db);
    std::vector<std::int64_t> category_ids;
    for (std::string_view name : generated_category_names()) {
        category_ids.push_back(products.create_category(name));  // the existing id when it is there
    }
    const auto first = static_cast<std::uint64_t>(products.count_products());
    const auto started = std::chrono::steady_clock::now();
    const auto now = std::chrono::system_clock::now();
    std::vector<domain::NewProduct> batch;
    long long done = 0;
    while (done < count) {
        batch.clear();
        for (long long i = done; i < count && i < done + kBatch; ++i) {
            GeneratedProduct generated = generate_product(first + static_cast<std::uint64_t>(i));
            generated.product.category_id = category_ids.at(generated.category);
            batch.push_back(std::move(generated.product));
        }
        products.create_many(batch, now);
        done += static_cast<long long>(batch.size());
        if (done % kReportEvery == 0 || done == count) {
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            progress << "seeded " << done << "/" << count << " products in " << static_cast<long long>(seconds)
                     << " s\n"
                     << std::flush;
        }
    }
    return done;
}

long long seed_products(const Config& config, long long count, std::ostream& progress) {
    adapters::sql::DatabaseSettings settings = database_settings(config.database);
    settings.pool_size = 1;  // one loader; the serving pool's size is irrelevant here
    adapters::sql::Database db(settings);
    adapters::sql::apply_migrations(db, schema_scope_for(config, adapters::sql::TableOwner::kCatalogue));
    return seed_generated_products(db, count, progress);
}

}  // namespace gomall::app
