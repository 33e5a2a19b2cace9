// What each shopper's flash-sale attempts came to, kept in memory so that status polls and the
// event stream can answer without the database (which stays the source of truth).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "domain/seckill.hpp"

namespace gomall::services {

/// The answer to "how did my flash-sale attempt go": the latest reservation decides `status`.
struct SeckillResult {
    /// "none" (nothing to report, or the latest order was cancelled and the shopper may buy again),
    /// "queued", "success" or "failed".
    std::string status = "none";
    std::int64_t activity_id = 0;
    std::int64_t product_id = 0;
    std::vector<domain::Reservation> reservations;  // newest first; the first one is "the latest"
};

/// "queued" | "success" | "failed" | "released" for one reservation.
const char* reservation_status_name(domain::ReservationStatus status);

/// Builds the summary of a shopper's reservations in an activity (sorted newest first here).
SeckillResult summarize(
    std::int64_t activity_id, std::int64_t product_id, std::vector<domain::Reservation> reservations
);

/// Thread-safe map (activity, user) -> the shopper's reservations. Memory is bounded by what the
/// gate hands out: per activity at most total_stock reservations are alive, plus returned ones.
class SeckillResults {
public:
    /// Records a reservation the queue accepted. Does nothing when the reservation is already known:
    /// its outcome may arrive (from the queue's writer thread) before the publisher resumes.
    void record_queued(const domain::Reservation& reservation);
    /// Success or failure reported by the queue; replaces what was known about that reservation and
    /// returns its previous status (nullopt when it was not known), so redeliveries can be spotted.
    std::optional<domain::ReservationStatus> record_outcome(const domain::Reservation& reservation);
    /// Forgets a reservation that never became durable (the shopper was told to retry).
    void forget(std::int64_t activity_id, std::int64_t user_id, const std::string& reservation_id);
    /// Forgets the shopper's reservations still pending that were made before `reserved_before` and
    /// are not among `still_in_flight` (matched by id or seq): the caller read the gate, then merged
    /// the database, and neither holds them.
    void forget_vanished(
        std::int64_t activity_id,
        std::int64_t user_id,
        TimePoint reserved_before,
        const std::vector<domain::Reservation>& still_in_flight
    );
    /// Marks the reservation that produced `order_no` as released; false when it is not known here.
    bool mark_released(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no);
    /// Replaces what is known about these reservations with the database's view of them.
    void merge(std::int64_t activity_id, std::int64_t user_id, const std::vector<domain::Reservation>& stored);
    /// An event stream follows the shopper's result here: unresolved() names the pair until
    /// unwatch(), so a purchase made through another instance reaches the stream too. Counted.
    void watch(std::int64_t activity_id, std::int64_t user_id);
    void unwatch(std::int64_t activity_id, std::int64_t user_id);
    /// (activity, user) pairs with a reservation still queued that was made before `reserved_before`,
    /// then the watched ones: in full mode their outcome may have been written by another instance.
    std::vector<std::pair<std::int64_t, std::int64_t>> unresolved(TimePoint reserved_before, std::size_t limit) const;
    /// The shopper's reservations in the activity, in no particular order; empty when none are known.
    std::vector<domain::Reservation> of(std::int64_t activity_id, std::int64_t user_id) const;

private:
    using Key = std::pair<std::int64_t, std::int64_t>;  // (activity_id, user_id)
    std::optional<domain::ReservationStatus> upsert_locked(const domain::Reservation& reservation, bool replace);

    mutable std::mutex mutex_;
    std::map<Key, std::vector<domain::Reservation>> entries_;
    std::map<Key, int> watched_;  // open event streams per pair
};

}  // namespace gomall::services
