// JSON encoding of reservations with Boost.JSON; decoding checks every field, since a bad body
// must be dead-lettered rather than turned into a wrong order.
#include "adapters/rabbitmq/reservation_message.hpp"

#include <chrono>
#include <cstdint>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "adapters/rabbitmq/trace_header.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxIdBytes = 128;

std::int64_t to_unix_millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_millis(std::int64_t ms) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

/// The integer field `name` of `object` if present and within [min, max]; sets `error` otherwise.
std::optional<std::int64_t> integer_field(
    const json::object& object, const char* name, std::int64_t min, std::int64_t max, std::string& error
) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) {
        error = std::string("missing field '") + name + "'";
        return std::nullopt;
    }
    std::int64_t number = 0;
    if (value->is_int64()) {
        number = value->get_int64();
    } else if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        number = static_cast<std::int64_t>(value->get_uint64());
    } else {
        error = std::string("field '") + name + "' must be an integer";
        return std::nullopt;
    }
    if (number < min || number > max) {
        error = std::string("field '") + name + "' is out of range";
        return std::nullopt;
    }
    return number;
}

/// The body parsed, or null with `error` when it is too large or not JSON.
std::optional<json::value> parse_body(std::string_view body, std::string& error) {
    if (body.size() > kMaxReservationBodyBytes) {
        error = "body is larger than " + std::to_string(kMaxReservationBodyBytes) + " bytes";
        return std::nullopt;
    }
    json::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec) {
        error = "body is not JSON (" + ec.message() + ")";
        return std::nullopt;
    }
    return value;
}

/// The traceparent an object carries, or empty (missing, not a string, too long: no parent, never an error).
std::string traceparent_of(const json::object& object) {
    const json::value* value = object.if_contains("traceparent");
    if (value == nullptr || !value->is_string() || value->get_string().size() > kMaxTraceparentBytes) {
        return {};
    }
    return std::string(value->get_string());
}

std::optional<domain::Reservation> decode_object(const json::object* object, std::string& error) {
    if (object == nullptr) {
        error = "body is not a JSON object";
        return std::nullopt;
    }
    domain::Reservation r;
    const json::value* id = object->if_contains("id");
    if (id == nullptr || !id->is_string() || id->get_string().empty() || id->get_string().size() > kMaxIdBytes) {
        error = "field 'id' must be a non-empty string of at most " + std::to_string(kMaxIdBytes) + " bytes";
        return std::nullopt;
    }
    r.id = std::string(id->get_string());

    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    const auto activity_id = integer_field(*object, "activity_id", 1, kMax, error);
    const auto product_id = activity_id ? integer_field(*object, "product_id", 1, kMax, error) : std::nullopt;
    const auto user_id = product_id ? integer_field(*object, "user_id", 1, kMax, error) : std::nullopt;
    const auto seq = user_id ? integer_field(*object, "seq", 1, std::numeric_limits<int>::max(), error) : std::nullopt;
    const auto price = seq ? integer_field(*object, "price", 0, kMax, error) : std::nullopt;
    // Milliseconds that fit the clock's nanosecond representation (years 1970..2262).
    const auto reserved_at = price ? integer_field(*object, "reserved_at", 0, kMax / 1'000'000, error) : std::nullopt;
    if (!reserved_at) {
        return std::nullopt;
    }
    r.activity_id = *activity_id;
    r.product_id = *product_id;
    r.user_id = *user_id;
    r.seq = static_cast<int>(*seq);
    r.price = *price;
    r.reserved_at = from_unix_millis(*reserved_at);
    r.status = domain::ReservationStatus::kPending;
    return r;
}

}  // namespace

std::string encode_reservation(const domain::Reservation& reservation, std::string_view traceparent) {
    json::object object;
    object["id"] = reservation.id;
    object["activity_id"] = reservation.activity_id;
    object["product_id"] = reservation.product_id;
    object["user_id"] = reservation.user_id;
    object["seq"] = reservation.seq;
    object["price"] = reservation.price;
    object["reserved_at"] = to_unix_millis(reservation.reserved_at);
    if (!traceparent.empty()) {
        object["traceparent"] = traceparent;
    }
    return json::serialize(object);
}

std::optional<domain::Reservation> decode_reservation(std::string_view body, std::string& error) {
    const auto value = parse_body(body, error);
    if (!value) {
        return std::nullopt;
    }
    return decode_object(value->if_object(), error);
}

std::string pack_reservations(const std::vector<std::string_view>& encoded) {
    std::size_t size = 2 + encoded.size();
    for (const std::string_view object : encoded) {
        size += object.size();
    }
    std::string body;
    body.reserve(size);
    body += '[';
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        body += encoded[i];
    }
    body += ']';
    return body;
}

std::optional<std::vector<ReservationEntry>> decode_reservations(std::string_view body, std::string& error) {
    const auto value = parse_body(body, error);
    if (!value) {
        return std::nullopt;
    }
    std::vector<ReservationEntry> out;
    if (const json::array* array = value->if_array()) {
        if (array->empty() || array->size() > kMaxReservationsPerMessage) {
            error = "body must hold 1-" + std::to_string(kMaxReservationsPerMessage) + " reservations";
            return std::nullopt;
        }
        out.reserve(array->size());
        for (std::size_t i = 0; i < array->size(); ++i) {
            const json::object* object = (*array)[i].if_object();
            auto reservation = decode_object(object, error);
            if (!reservation) {
                error = "reservation " + std::to_string(i) + ": " + error;
                return std::nullopt;
            }
            out.push_back({std::move(*reservation), traceparent_of(*object)});
        }
        return out;
    }
    const json::object* object = value->if_object();
    auto reservation = decode_object(object, error);
    if (!reservation) {
        return std::nullopt;
    }
    out.push_back({std::move(*reservation), traceparent_of(*object)});
    return out;
}

}  // namespace gomall::adapters::rabbitmq
