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
    if (query.include_off_shelf) {
        // The admin's listing: few requests, and an admin acts on what it shows (stock, shelf
        // state), including what another admin or the seed command wrote a moment ago.
        return primary_.list(query);
    }
    return read([&](ports::ProductRepository& repo) { return repo.list(query); });
}

// The primary, although a product page could bear the bound: the detail cache drops a product on
// every instance the moment its stock moves or an admin edits it, and the next request reloads it
// at once, usually before the replica has applied that very change. From the replica that reload
// would put the old row back, in this instance's memory and the shared level, for the detail ttl
// (30 s), not for the bound. Detail reads are few (one per product per ttl); the lists, with their
// filters, counts and keyword search, are the load the replica takes.
std::optional<domain::Product> ReplicaReadProductRepository::find(std::int64_t id) {
    return primary_.find(id);
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
