// Counts heap allocations made by the whole benchmark process, so a case can report allocations
// per request (the global operator new is replaced in allocation_counter.cpp).
#pragma once

#include <cstdint>

#include <benchmark/benchmark.h>

namespace gomall::bench {

/// Allocations (every operator new) since the process started, on any thread.
std::uint64_t allocations_so_far();

/// Measures the allocations of one benchmark's timed loop: construct it right before the loop and
/// call report() right after, which sets state.counters["allocs_per_req"] (an average per iteration).
class AllocationsPerIteration {
public:
    AllocationsPerIteration() : start_(allocations_so_far()) {}

    void report(benchmark::State& state) const {
        const auto made = static_cast<double>(allocations_so_far() - start_);
        state.counters["allocs_per_req"] = benchmark::Counter(made, benchmark::Counter::kAvgIterations);
    }

private:
    std::uint64_t start_;
};

}  // namespace gomall::bench
