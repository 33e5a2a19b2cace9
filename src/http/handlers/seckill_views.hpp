// JSON shapes of flash-sale activities and purchase results in API responses (field names are part
// of the contract in notes/seckill.md and the OpenAPI document).
#pragma once

#include <boost/json/object.hpp>

#include "core/time.hpp"
#include "domain/seckill.hpp"
#include "http/image_urls.hpp"
#include "services/flash_sale_api.hpp"
#include "services/seckill_results.hpp"

namespace gomall::http {

/// {id, product_id, product_name, product_image, price, original_price, total_stock, sold, remaining,
///  state, start_time, end_time, per_user_limit, created_at, updated_at}; product_image through `images`.
boost::json::object activity_json(const services::ActivityView& view, const ImageUrls& images);
/// activity_json bound to `images`, for respond (which takes one argument).
inline auto activity_view(const ImageUrls& images) {
    return [&images](const services::ActivityView& view) {
        return activity_json(view, images);
    };
}

/// Adds {"server_time": ISO, "server_time_ms": epoch ms} so countdowns can correct the client's clock.
void add_server_time(boost::json::object& out, TimePoint now);

/// {"status":"queued","reservation_id","activity_id","product_id"}: the answer to a purchase.
boost::json::object queued_json(const domain::Reservation& reservation);

/// {status, activity_id, product_id, reservation_id, order_no, reason, reservations:[...]}; the latest
/// reservation's fields are repeated at the top (null when there is none).
boost::json::object seckill_result_json(const services::SeckillResult& result);

}  // namespace gomall::http
