// The flash sale's Lua gate against a real redis-server (GOMALL_REDIS_HOST / GOMALL_REDIS_PORT, as
// scripts/stack env writes them): one reservation attempt's round trip, sold out and succeeding, one
// at a time; then reservations per second with many attempts in flight over the pipelined client.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_stock_gate.hpp"

namespace gomall::bench {
namespace {

using adapters::redis::RedisBlockingConnection;
using adapters::redis::RedisClient;
using adapters::redis::RedisSettings;
using adapters::redis::RedisStockGate;
using domain::ReserveOutcome;

constexpr std::int64_t kOnSale = 1;
constexpr std::int64_t kSoldOut = 2;
constexpr std::int64_t kBigStock = std::int64_t{1} << 40U;  // never runs out during a run

std::optional<RedisSettings> settings_from_env() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read before the case starts any thread
    const char* host = std::getenv("GOMALL_REDIS_HOST");
    const char* port = std::getenv("GOMALL_REDIS_PORT");  // NOLINT(concurrency-mt-unsafe)
    if (host == nullptr || port == nullptr) {
        return std::nullopt;
    }
    RedisSettings s;  // the shop's defaults: 2 pipelined connections, 1 s command timeout
    s.host = host;
    s.port = std::atoi(port);
    return s;
}

/// A gate over its own key prefix with two activities loaded: one with a stock that never runs out
/// and one sold out. Its keys are deleted when it goes.
class GateRig {
public:
    explicit GateRig(const RedisSettings& settings)
        : prefix_("gomall-bench-" + std::to_string(std::random_device{}())),
          client_(settings),
          blocking_(settings),
          gate_(client_, blocking_, prefix_) {
        // The gate logs each activity it loads at info; the benchmark's output is the figures.
        spdlog::set_level(spdlog::level::warn);
        client_.start();
        for (int i = 0; i < 200 && !client_.connected(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (!client_.connected()) {
            return;
        }
        gate_.load(activity(kOnSale, kBigStock), kBigStock, {});
        gate_.load(activity(kSoldOut, 0), 0, {});
        ready_ = true;
    }
    GateRig(const GateRig&) = delete;
    GateRig& operator=(const GateRig&) = delete;
    ~GateRig() {
        try {
            for (const auto id : {kOnSale, kSoldOut}) {
                for (const auto& key : gate_.keys_of(id)) {
                    blocking_.command({"DEL", key});
                }
            }
        } catch (const std::exception&) {
            // Redis went away mid-run: nothing left to clean.
        }
        client_.stop();
        spdlog::set_level(spdlog::level::info);
    }

    bool ready() const { return ready_; }
    RedisStockGate& gate() { return gate_; }
    /// A shopper who has not bought yet (the limit is one unit each).
    std::int64_t next_shopper() { return ++shoppers_; }

private:
    domain::SeckillActivity activity(std::int64_t id, std::int64_t stock) const {
        domain::SeckillActivity a;
        a.id = id;
        a.product_id = 42;
        a.total_stock = stock;
        a.per_user_limit = 1;
        a.price = 100;
        a.start_time = std::chrono::system_clock::now() - std::chrono::minutes(1);
        a.end_time = std::chrono::system_clock::now() + std::chrono::hours(24);
        return a;
    }

    std::string prefix_;
    RedisClient client_;
    RedisBlockingConnection blocking_;
    RedisStockGate gate_;
    std::int64_t shoppers_ = 0;
    bool ready_ = false;
};

/// The rig, or null after telling the benchmark why it is skipped.
std::unique_ptr<GateRig> rig_or_skip(benchmark::State& state) {
    const auto settings = settings_from_env();
    if (!settings) {
        state.SkipWithError("no Redis: set GOMALL_REDIS_PORT");
        return nullptr;
    }
    auto rig = std::make_unique<GateRig>(*settings);
    if (!rig->ready()) {
        state.SkipWithError("Redis at GOMALL_REDIS_HOST:GOMALL_REDIS_PORT did not accept a connection");
        return nullptr;
    }
    return rig;
}

/// One reservation attempt at a time on this thread's event loop, as a request's coroutine makes it.
void gate_round_trip(benchmark::State& state, std::int64_t activity_id, ReserveOutcome want) {
    auto rig = rig_or_skip(state);
    if (!rig) {
        return;
    }
    boost::asio::io_context io;
    std::string failure;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
                const auto shopper = rig->next_shopper();
                const auto result = co_await rig->gate().reserve(
                    activity_id, shopper, std::chrono::system_clock::now(), "bench-" + std::to_string(shopper)
                );
                if (result.outcome != want) {
                    failure = "unexpected reserve outcome " + std::to_string(static_cast<int>(result.outcome));
                    break;
                }
            }
        },
        boost::asio::detached
    );
    io.run();
    if (!failure.empty()) {
        state.SkipWithError(failure.c_str());
    }
}

/// `in_flight` coroutines reserving at once on one event loop; each iteration is one attempt.
void gate_in_flight(benchmark::State& state) {
    auto rig = rig_or_skip(state);
    if (!rig) {
        return;
    }
    const auto in_flight = state.range(0);
    constexpr int kPerCoroutine = 8;
    boost::asio::io_context io;
    std::string failure;
    auto shopper_loop = [&]() -> boost::asio::awaitable<void> {
        for (int i = 0; i < kPerCoroutine && failure.empty(); ++i) {
            const auto shopper = rig->next_shopper();
            const auto result = co_await rig->gate().reserve(
                kOnSale, shopper, std::chrono::system_clock::now(), "bench-" + std::to_string(shopper)
            );
            if (result.outcome != ReserveOutcome::kReserved) {
                failure = "unexpected reserve outcome " + std::to_string(static_cast<int>(result.outcome));
            }
        }
    };
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        for (std::int64_t c = 0; c < in_flight; ++c) {
            boost::asio::co_spawn(io, shopper_loop, boost::asio::detached);
        }
        io.run();
        io.restart();
        if (!failure.empty()) {
            state.SkipWithError(failure.c_str());
            break;
        }
    }
    state.SetItemsProcessed(state.iterations() * in_flight * kPerCoroutine);
}

}  // namespace

BENCHMARK_CAPTURE(gate_round_trip, reserved, kOnSale, ReserveOutcome::kReserved)->UseRealTime();
BENCHMARK_CAPTURE(gate_round_trip, sold_out, kSoldOut, ReserveOutcome::kSoldOut)->UseRealTime();
BENCHMARK(gate_in_flight)->Arg(16)->Arg(64)->Arg(256)->UseRealTime();

}  // namespace gomall::bench
