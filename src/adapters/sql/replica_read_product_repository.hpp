// The catalogue's repository with its reads on the read replica when it is fresh enough, and on the
// primary otherwise or when the replica fails; writes always on the primary.
//
// Only for reads whose answer may be as old as the replica's staleness bound: the catalogue's lists,
// categories and counts (ProductService). find() and the admin's listing stay on the primary (see
// the .cpp), and whatever
// prices or reserves stock (cart, order placement, flash sale) must keep the primary repository
// itself.
#pragma once

#include "adapters/sql/replica_read_route.hpp"
#include "adapters/sql/replica_routing.hpp"
#include "ports/product_repository.hpp"

namespace gomall::adapters::sql {

class ReplicaReadProductRepository final : public ports::ProductRepository {
public:
    /// Both must outlive this repository.
    ReplicaReadProductRepository(ports::ProductRepository& primary, ReplicaRouting& routing)
        : primary_(primary), routing_(routing), fence_(routing) {}

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

private:
    template <class Read>
    auto read(Read read_fn) -> decltype(read_fn(std::declval<ports::ProductRepository&>()));

    ports::ProductRepository& primary_;
    ReplicaRouting& routing_;
    WriteFence fence_;
};

}  // namespace gomall::adapters::sql
