// Conversion of flash-sale activities and results to their API JSON: money through money_json
// (exact two decimals), times through format_iso8601 (UTC).
#include "http/handlers/seckill_views.hpp"

#include <chrono>

#include <boost/json/array.hpp>

#include "http/envelope.hpp"

namespace gomall::http {
namespace {

/// Empty strings are "not applicable" in the domain; the API says null.
boost::json::value text_or_null(const std::string& text) {
    return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::object reservation_json(const domain::Reservation& reservation) {
    boost::json::object out;
    out["reservation_id"] = reservation.id;
    out["status"] = services::reservation_status_name(reservation.status);
    out["order_no"] = text_or_null(reservation.order_no);
    out["reason"] = text_or_null(reservation.fail_reason);
    out["reserved_at"] = format_iso8601(reservation.reserved_at);
    return out;
}

}  // namespace

boost::json::object activity_json(const services::ActivityView& view, const ImageUrls& images) {
    const auto& a = view.activity;
    boost::json::object out;
    out["id"] = a.id;
    out["product_id"] = a.product_id;
    out["product_name"] = a.product_name;
    out["product_image"] = images.public_url(a.product_image);
    out["price"] = money_json(a.price);
    out["original_price"] = money_json(a.original_price);
    out["total_stock"] = a.total_stock;
    out["sold"] = view.sold;
    out["remaining"] = view.remaining;
    out["state"] = domain::activity_state_name(view.state);
    out["start_time"] = format_iso8601(a.start_time);
    out["end_time"] = format_iso8601(a.end_time);
    out["per_user_limit"] = a.per_user_limit;
    // A client that knows it fetches a token before its first purchase instead of after a 403.
    out["token_required"] = view.token_required;
    out["created_at"] = format_iso8601(a.created_at);
    out["updated_at"] = format_iso8601(a.updated_at);
    return out;
}

void add_server_time(boost::json::object& out, TimePoint now) {
    out["server_time"] = format_iso8601(now);
    out["server_time_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

boost::json::object queued_json(const domain::Reservation& reservation) {
    boost::json::object out;
    out["status"] = "queued";
    out["reservation_id"] = reservation.id;
    out["activity_id"] = reservation.activity_id;
    out["product_id"] = reservation.product_id;
    return out;
}

boost::json::object seckill_result_json(const services::SeckillResult& result) {
    boost::json::object out;
    out["status"] = result.status;
    out["activity_id"] = result.activity_id;
    out["product_id"] = result.product_id;
    boost::json::array list;
    list.reserve(result.reservations.size());
    for (const auto& reservation : result.reservations) {
        list.push_back(reservation_json(reservation));
    }
    if (result.reservations.empty()) {
        out["reservation_id"] = nullptr;
        out["order_no"] = nullptr;
        out["reason"] = nullptr;
    } else {
        const auto& latest = result.reservations.front();
        out["reservation_id"] = latest.id;
        out["order_no"] = text_or_null(latest.order_no);
        out["reason"] = text_or_null(latest.fail_reason);
    }
    out["reservations"] = std::move(list);
    return out;
}

}  // namespace gomall::http
