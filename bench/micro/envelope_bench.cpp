// The JSON envelope: ok() as a handler calls it (its data built from domain objects, then
// serialised), serialize_json() alone on a built envelope, ok_encoded() around a cached body, and
// error_response(); for a small payload and a list of 20 products (a page of the catalogue).
#include <string>

#include <benchmark/benchmark.h>
#include <boost/json/object.hpp>

#include "allocation_counter.hpp"
#include "http/envelope.hpp"
#include "http/handlers/json_views.hpp"
#include "shop_routes.hpp"

namespace gomall::bench {
namespace {

constexpr int kListSize = 20;  // the default page size

http::Request traced_request() {
    http::Request req;
    req.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    return req;
}

domain::Page<domain::Product> product_page() {
    MemoryProductRepository products;
    domain::ProductQuery query;
    query.page_size = kListSize;
    return products.list(query);
}

template <class F>
void measure(benchmark::State& state, F&& encode) {
    std::size_t bytes = 0;
    const AllocationsPerIteration allocations;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        auto res = encode();
        bytes = res.body.size();
        benchmark::DoNotOptimize(res);
    }
    allocations.report(state);
    state.counters["body_bytes"] = static_cast<double>(bytes);
}

void envelope_ok_small(benchmark::State& state) {
    const auto req = traced_request();
    measure(state, [&] { return http::ok(req, boost::json::object{{"status", "ok"}}); });
}

void envelope_ok_list(benchmark::State& state) {
    const auto req = traced_request();
    const auto page = product_page();
    const http::ImageUrls images;
    measure(state, [&] { return http::ok(req, http::page_json(page, http::product_view(images))); });
}

void envelope_serialize_list(benchmark::State& state) {
    const auto page = product_page();
    const http::ImageUrls images;
    const boost::json::object envelope{
        {"code", 0},
        {"message", "success"},
        {"data", http::page_json(page, http::product_view(images))},
        {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}};
    measure(state, [&] {
        http::Response res;
        res.body = http::serialize_json(envelope);
        return res;
    });
}

void envelope_ok_encoded_small(benchmark::State& state) {
    const auto req = traced_request();
    const std::string cached = R"({"status":"ok"})";
    measure(state, [&] { return http::ok_encoded(req, cached); });
}

void envelope_ok_encoded_list(benchmark::State& state) {
    const auto req = traced_request();
    const http::ImageUrls images;
    const std::string cached = http::serialize_json(http::page_json(product_page(), http::product_view(images)));
    measure(state, [&] { return http::ok_encoded(req, cached); });
}

void envelope_error(benchmark::State& state) {
    const auto req = traced_request();
    measure(state, [&] { return http::error_response(req, ErrorCode::kProductNotFound, "product 42 not found"); });
}

}  // namespace

BENCHMARK(envelope_ok_small);
BENCHMARK(envelope_ok_list);
BENCHMARK(envelope_serialize_list);
BENCHMARK(envelope_ok_encoded_small);
BENCHMARK(envelope_ok_encoded_list);
BENCHMARK(envelope_error);

}  // namespace gomall::bench
