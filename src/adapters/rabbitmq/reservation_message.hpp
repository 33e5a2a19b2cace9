// The wire form of a flash-sale reservation on RabbitMQ: a small JSON object, money in integer
// cents and time in milliseconds since the Unix epoch.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/seckill.hpp"

namespace gomall::adapters::rabbitmq {

/// {"id":"..","activity_id":1,"product_id":2,"user_id":3,"seq":1,"price":99900,"reserved_at":1800000000000}.
/// Only what the consumer needs to write the order; status and outcome never travel.
std::string encode_reservation(const domain::Reservation& reservation);

/// The reservation in `body` (status pending), or nullopt with `error` saying what is wrong:
/// not JSON, a missing or mistyped field, or a value out of range. Unknown fields are ignored.
std::optional<domain::Reservation> decode_reservation(std::string_view body, std::string& error);

}  // namespace gomall::adapters::rabbitmq
