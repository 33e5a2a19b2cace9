// Router::match over the shop's route table: a literal path, ":param" paths, a method the path does
// not take (405) and an unknown path (404). Reports allocations per match beside the time.
#include <string_view>

#include <benchmark/benchmark.h>

#include "allocation_counter.hpp"
#include "shop_routes.hpp"

namespace gomall::bench {
namespace {

void router_match(benchmark::State& state, http::Method method, std::string_view path, http::RouteMatch::Kind want) {
    const ShopRoutes routes;
    if (routes.router().match(method, path).kind != want) {
        state.SkipWithError("the route table does not answer this path as the case expects");
        return;
    }
    const AllocationsPerIteration allocations;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        auto match = routes.router().match(method, path);
        benchmark::DoNotOptimize(match);
    }
    allocations.report(state);
    state.counters["routes"] = static_cast<double>(routes.router().routes().size());
}

using Kind = http::RouteMatch::Kind;
using http::Method;

}  // namespace

BENCHMARK_CAPTURE(router_match, health, Method::kGet, "/health", Kind::kFound);
BENCHMARK_CAPTURE(router_match, cart, Method::kGet, "/api/cart", Kind::kFound);
BENCHMARK_CAPTURE(router_match, product_id, Method::kGet, "/api/product/42", Kind::kFound);
BENCHMARK_CAPTURE(router_match, order_pay, Method::kPost, "/api/order/20261205123456789012/pay", Kind::kFound);
BENCHMARK_CAPTURE(router_match, method_not_allowed, Method::kPatch, "/api/product/42", Kind::kMethodNotAllowed);
BENCHMARK_CAPTURE(router_match, not_found, Method::kGet, "/api/nothing/here", Kind::kNotFound);

}  // namespace gomall::bench
