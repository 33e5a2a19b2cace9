// The one routing rule both replica-reading repositories share: a read goes to the replica when the
// routing allows it, and to the primary when it does not or when the replica throws.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>

#include "adapters/sql/replica_routing.hpp"

namespace gomall::adapters::sql {

/// The newest write a repository sent to the primary, so its own later reads wait for the replica
/// to hold it (read-your-writes on this instance: an admin's edit, a placed order, are read back).
class WriteFence {
public:
    explicit WriteFence(const ReplicaRouting& routing) : routing_(routing) {}
    /// Call after the write returned (committed), whether or not it changed anything.
    void written() noexcept { last_ms_.store(routing_.now_ms(), std::memory_order_relaxed); }
    [[nodiscard]] std::int64_t last_ms() const noexcept { return last_ms_.load(std::memory_order_relaxed); }

private:
    const ReplicaRouting& routing_;
    std::atomic<std::int64_t> last_ms_{0};
};

/// Moves the fence when the write it guards returns or throws (a write that threw may still have
/// committed: a lost connection after COMMIT).
class FenceOnExit {
public:
    explicit FenceOnExit(WriteFence& fence) : fence_(fence) {}
    FenceOnExit(const FenceOnExit&) = delete;
    FenceOnExit& operator=(const FenceOnExit&) = delete;
    ~FenceOnExit() { fence_.written(); }

private:
    WriteFence& fence_;
};

/// `read(repo)` on the replica's repository picked by `pick`, or on `primary`. An exception from
/// the replica (down, lagging connection, missing table, anything) is never the caller's: the read
/// is repeated on the primary, whose exceptions are.
template <class Repo, class Pick, class Read>
auto read_routed(ReplicaRouting& routing, const WriteFence& fence, Repo& primary, Pick pick, Read read)
    -> decltype(read(primary)) {
    if (ReplicaReads* replica = routing.replica_for_read(fence.last_ms())) {
        try {
            auto answer = read(pick(*replica));
            routing.served(ReadTarget::kReplica);
            return answer;
        } catch (const std::exception& e) {
            routing.replica_failed(e);
        }
    }
    auto answer = read(primary);
    routing.served(ReadTarget::kPrimary);
    return answer;
}

}  // namespace gomall::adapters::sql
