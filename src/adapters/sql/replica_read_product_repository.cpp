// Routing of each catalogue call: reads through read_routed, writes to the primary and fenced.
#include "adapters/sql/replica_read_product_repository.hpp"

#include <string>
#include <utility>

namespace gomall::adapters::sql {

template <class Read>
auto ReplicaReadProductRepository::read(Read read_fn) -> decltype(read_fn(std::declval<ports::ProductRepository&>())) {
    return read_routed(
        routing_,
        fence_,
        primary_,
        [](ReplicaReads& replica) -> ports::ProductRepository& { return replica.products(); },
        std::move(read_fn)
    );
}

domain::Page<domain::Product> ReplicaReadProductRepository::list(const domain::ProductQuery& query) {
    return read([&](ports::ProductRepository& repo) { return repo.list(query); });
}

std::optional<domain::Product> ReplicaReadProductRepository::find(std::int64_t id) {
    return read([&](ports::ProductRepository& repo) { return repo.find(id); });
}

std::vector<domain::Category> ReplicaReadProductRepository::categories() {
    return read([](ports::ProductRepository& repo) { return repo.categories(); });
}

std::optional<domain::Category> ReplicaReadProductRepository::find_category(std::int64_t id) {
    return read([&](ports::ProductRepository& repo) { return repo.find_category(id); });
}

std::optional<domain::Category> ReplicaReadProductRepository::find_category_by_name(std::string_view name) {
    return read([&](ports::ProductRepository& repo) { return repo.find_category_by_name(name); });
}

std::int64_t ReplicaReadProductRepository::count_products() {
    return read([](ports::ProductRepository& repo) { return repo.count_products(); });
}

// Writes: the primary, then the fence, so this instance reads its own change back (the admin's
// "created" answer re-reads the product) even while the replica has not caught up yet.
std::int64_t ReplicaReadProductRepository::create(const domain::NewProduct& product, TimePoint now) {
    const FenceOnExit fenced(fence_);
    return primary_.create(product, now);
}

bool ReplicaReadProductRepository::update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) {
    const FenceOnExit fenced(fence_);
    return primary_.update(id, patch, now);
}

bool ReplicaReadProductRepository::soft_delete(std::int64_t id, TimePoint now) {
    const FenceOnExit fenced(fence_);
    return primary_.soft_delete(id, now);
}

std::int64_t ReplicaReadProductRepository::create_category(std::string_view name) {
    const FenceOnExit fenced(fence_);
    return primary_.create_category(name);
}

}  // namespace gomall::adapters::sql
