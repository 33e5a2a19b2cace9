// ProductRepository on the SQL database: catalogue listing, search, admin edits and categories.
#pragma once

#include <string>
#include <vector>

#include "adapters/sql/database.hpp"
#include "ports/product_repository.hpp"

namespace gomall::adapters::sql {

class SqlProductRepository final : public ports::ProductRepository {
public:
    /// A keyword search goes through the index while its rarest gram is in fewer than
    /// `index_share` of the catalogue's products (by the highest id), and is a LIKE scan otherwise.
    static constexpr double kDefaultIndexShare = 1.0 / 3;

    explicit SqlProductRepository(Database& db, double index_share = kDefaultIndexShare)
        : db_(db), index_share_(index_share) {}

    domain::Page<domain::Product> list(const domain::ProductQuery& query) override;
    std::optional<domain::Product> find(std::int64_t id) override;
    std::int64_t create(const domain::NewProduct& product, TimePoint now) override;
    bool update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) override;
    bool soft_delete(std::int64_t id, TimePoint now) override;

    std::vector<domain::Category> categories() override;
    std::optional<domain::Category> find_category(std::int64_t id) override;
    std::optional<domain::Category> find_category_by_name(std::string_view name) override;
    std::int64_t create_category(std::string_view name) override;
    std::int64_t count_products() override;

    /// Bulk load (the seed-products command): creates every product, with its search index rows,
    /// in one transaction; returns their ids in order. All get `now` as creation time.
    std::vector<std::int64_t> create_many(const std::vector<domain::NewProduct>& products, TimePoint now);

private:
    /// A keyword listing through the search index (see list()); fills `page`'s total and items.
    void list_through_index(
        soci::session& session,
        const domain::ProductQuery& query,
        const std::vector<std::string>& grams,
        domain::Page<domain::Product>& page
    );
    static std::int64_t insert_product(
        soci::session& session, const domain::NewProduct& product, const std::string& stamp
    );
    static bool update_fields(
        soci::session& session, std::int64_t id, const domain::ProductPatch& patch, TimePoint now
    );

    Database& db_;
    double index_share_;
};

}  // namespace gomall::adapters::sql
