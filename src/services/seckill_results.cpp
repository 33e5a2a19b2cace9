// Implementation of the in-memory flash-sale results map.
#include "services/seckill_results.hpp"

#include <algorithm>

namespace gomall::services {

const char* reservation_status_name(domain::ReservationStatus status) {
    switch (status) {
        case domain::ReservationStatus::kPending:
            return "queued";
        case domain::ReservationStatus::kSucceeded:
            return "success";
        case domain::ReservationStatus::kFailed:
            return "failed";
        case domain::ReservationStatus::kReleased:
            return "released";
    }
    return "queued";
}

SeckillResult summarize(
    std::int64_t activity_id, std::int64_t product_id, std::vector<domain::Reservation> reservations
) {
    // seq grows with every reservation a shopper gets, so it orders them even within one second.
    std::sort(reservations.begin(), reservations.end(), [](const auto& a, const auto& b) {
        if (a.seq != b.seq) {
            return a.seq > b.seq;
        }
        return a.reserved_at > b.reserved_at;
    });
    SeckillResult out;
    out.activity_id = activity_id;
    out.product_id = product_id;
    if (!reservations.empty()) {
        // A released latest reservation means its order was cancelled: the shopper is back to
        // where they started and may buy again, which the API calls "none".
        const auto status = reservations.front().status;
        out.status = status == domain::ReservationStatus::kReleased ? "none" : reservation_status_name(status);
    }
    out.reservations = std::move(reservations);
    return out;
}

std::optional<domain::ReservationStatus> SeckillResults::upsert_locked(
    const domain::Reservation& reservation, bool replace
) {
    auto& list = entries_[Key{reservation.activity_id, reservation.user_id}];
    for (auto& known : list) {
        // (activity, user, seq) names a reservation too: the reconciler republishes under a new id.
        if (known.id == reservation.id || known.seq == reservation.seq) {
            const auto previous = known.status;
            if (replace) {
                known = reservation;
            }
            return previous;
        }
    }
    list.push_back(reservation);
    return std::nullopt;
}

void SeckillResults::record_queued(const domain::Reservation& reservation) {
    std::lock_guard lock(mutex_);
    upsert_locked(reservation, false);
}

std::optional<domain::ReservationStatus> SeckillResults::record_outcome(const domain::Reservation& reservation) {
    std::lock_guard lock(mutex_);
    return upsert_locked(reservation, true);
}

void SeckillResults::forget(std::int64_t activity_id, std::int64_t user_id, const std::string& reservation_id) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(Key{activity_id, user_id});
    if (it == entries_.end()) {
        return;
    }
    std::erase_if(it->second, [&](const auto& r) { return r.id == reservation_id; });
    if (it->second.empty()) {
        entries_.erase(it);
    }
}

void SeckillResults::forget_vanished(
    std::int64_t activity_id,
    std::int64_t user_id,
    TimePoint reserved_before,
    const std::vector<domain::Reservation>& still_in_flight
) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(Key{activity_id, user_id});
    if (it == entries_.end()) {
        return;
    }
    std::erase_if(it->second, [&](const domain::Reservation& r) {
        if (r.status != domain::ReservationStatus::kPending || r.reserved_at >= reserved_before) {
            return false;
        }
        return std::none_of(still_in_flight.begin(), still_in_flight.end(), [&r](const domain::Reservation& held) {
            return held.seq == r.seq || (!held.id.empty() && held.id == r.id);
        });
    });
    if (it->second.empty()) {
        entries_.erase(it);
    }
}

bool SeckillResults::mark_released(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(Key{activity_id, user_id});
    if (it == entries_.end()) {
        return false;
    }
    for (auto& known : it->second) {
        if (!order_no.empty() && known.order_no == order_no) {
            known.status = domain::ReservationStatus::kReleased;
            return true;
        }
    }
    return false;
}

void SeckillResults::merge(
    std::int64_t activity_id, std::int64_t user_id, const std::vector<domain::Reservation>& stored
) {
    std::lock_guard lock(mutex_);
    for (const auto& reservation : stored) {
        if (reservation.activity_id == activity_id && reservation.user_id == user_id) {
            upsert_locked(reservation, true);
        }
    }
}

void SeckillResults::watch(std::int64_t activity_id, std::int64_t user_id) {
    std::lock_guard lock(mutex_);
    ++watched_[Key{activity_id, user_id}];
}

void SeckillResults::unwatch(std::int64_t activity_id, std::int64_t user_id) {
    std::lock_guard lock(mutex_);
    const auto it = watched_.find(Key{activity_id, user_id});
    if (it != watched_.end() && --it->second <= 0) {
        watched_.erase(it);
    }
}

std::vector<std::pair<std::int64_t, std::int64_t>> SeckillResults::unresolved(
    TimePoint reserved_before, std::size_t limit
) const {
    std::vector<Key> out;
    std::lock_guard lock(mutex_);
    for (const auto& [key, list] : entries_) {
        if (out.size() >= limit) {
            break;
        }
        const bool waiting = std::any_of(list.begin(), list.end(), [&](const domain::Reservation& r) {
            return r.status == domain::ReservationStatus::kPending && r.reserved_at < reserved_before;
        });
        if (waiting) {
            out.push_back(key);
        }
    }
    for (const auto& entry : watched_) {
        if (out.size() >= limit) {
            break;
        }
        if (std::find(out.begin(), out.end(), entry.first) == out.end()) {
            out.push_back(entry.first);
        }
    }
    return out;
}

std::vector<domain::Reservation> SeckillResults::of(std::int64_t activity_id, std::int64_t user_id) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(Key{activity_id, user_id});
    return it == entries_.end() ? std::vector<domain::Reservation>{} : it->second;
}

}  // namespace gomall::services
