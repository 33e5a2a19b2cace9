// The wire form of flash-sale reservations on RabbitMQ: a small JSON object per reservation, money
// in integer cents and time in milliseconds since the Unix epoch; a message holds one object or an
// array of them (reservations made at the same moment share one message and one confirm).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/seckill.hpp"

namespace gomall::adapters::rabbitmq {

/// Largest message body a consumer accepts; a publisher packs reservations only up to it.
inline constexpr std::size_t kMaxReservationBodyBytes = std::size_t{64} * 1024;
/// Most reservations one message may hold.
inline constexpr std::size_t kMaxReservationsPerMessage = 1000;

/// {"id":"..","activity_id":1,"product_id":2,"user_id":3,"seq":1,"price":99900,"reserved_at":1800000000000}
/// plus "traceparent" (the producer span's context) when `traceparent` is not empty.
/// Only what the consumer needs to write the order; status and outcome never travel.
std::string encode_reservation(const domain::Reservation& reservation, std::string_view traceparent = {});

/// The reservation in `body` (status pending), or nullopt with `error` saying what is wrong:
/// not JSON, a missing or mistyped field, or a value out of range. Unknown fields are ignored.
std::optional<domain::Reservation> decode_reservation(std::string_view body, std::string& error);

/// A reservation read from a message and the traceparent it carried (empty: none or unusable).
struct ReservationEntry {
    domain::Reservation reservation;
    std::string traceparent;
};

/// The array body of several encoded reservations: "[" + objects joined by "," + "]".
std::string pack_reservations(const std::vector<std::string_view>& encoded);

/// Every reservation of a message: one object, or an array of 1..kMaxReservationsPerMessage
/// objects. All or nothing: one bad element refuses the whole body (nullopt and `error`), since a
/// body that is partly wrong cannot be trusted to be right elsewhere.
std::optional<std::vector<ReservationEntry>> decode_reservations(std::string_view body, std::string& error);

}  // namespace gomall::adapters::rabbitmq
