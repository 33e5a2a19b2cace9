// What the replica-reading repositories ask before each read: may the replica serve it, and where
// do they report what happened. ReplicaMonitor answers in production; tests answer with a fake.
#pragma once

#include <cstdint>
#include <exception>

#include "ports/order_repository.hpp"
#include "ports/product_repository.hpp"

namespace gomall::adapters::sql {

/// The repositories on the replica's connections (read-only use: only reads are sent there).
class ReplicaReads {
public:
    virtual ~ReplicaReads() = default;
    virtual ports::ProductRepository& products() = 0;
    virtual ports::OrderRepository& orders() = 0;
};

enum class ReadTarget { kReplica, kPrimary };

class ReplicaRouting {
public:
    virtual ~ReplicaRouting() = default;

    /// Milliseconds since the Unix epoch on the clock the heartbeat is stamped with.
    [[nodiscard]] virtual std::int64_t now_ms() const = 0;
    /// The replica when it may serve a read now: connected, its last check succeeded, at most the
    /// staleness bound behind, and holding every write this instance committed up to `fence_ms`
    /// (0: no such write). Null: read the primary.
    virtual ReplicaReads* replica_for_read(std::int64_t fence_ms) = 0;
    /// A read on the replica threw: reads go to the primary until a check succeeds again.
    virtual void replica_failed(const std::exception& error) noexcept = 0;
    /// One read answered by `target` (for the metrics).
    virtual void served(ReadTarget target) noexcept = 0;
};

}  // namespace gomall::adapters::sql
