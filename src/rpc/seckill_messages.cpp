// Field-by-field copies between the flash sale's structs and their messages.
#include "rpc/seckill_messages.hpp"

#include <chrono>

namespace gomall::rpc {
namespace {

v1::ActivityState to_message(domain::ActivityState state) {
    switch (state) {
        case domain::ActivityState::kUpcoming:
            return v1::ACTIVITY_STATE_UPCOMING;
        case domain::ActivityState::kActive:
            return v1::ACTIVITY_STATE_ACTIVE;
        case domain::ActivityState::kSoldOut:
            return v1::ACTIVITY_STATE_SOLD_OUT;
        case domain::ActivityState::kEnded:
            return v1::ACTIVITY_STATE_ENDED;
    }
    return v1::ACTIVITY_STATE_UNSPECIFIED;
}

domain::ActivityState from_message(v1::ActivityState state) {
    switch (state) {
        case v1::ACTIVITY_STATE_UPCOMING:
            return domain::ActivityState::kUpcoming;
        case v1::ACTIVITY_STATE_ACTIVE:
            return domain::ActivityState::kActive;
        case v1::ACTIVITY_STATE_SOLD_OUT:
            return domain::ActivityState::kSoldOut;
        default:
            return domain::ActivityState::kEnded;
    }
}

void to_message(const domain::SeckillActivity& a, v1::Activity& out) {
    out.set_id(a.id);
    out.set_product_id(a.product_id);
    out.set_product_name(a.product_name);
    out.set_product_image(a.product_image);
    out.set_original_price_cents(a.original_price);
    out.set_price_cents(a.price);
    out.set_total_stock(a.total_stock);
    out.set_sold(a.sold);
    out.set_start_time_ms(to_unix_millis(a.start_time));
    out.set_end_time_ms(to_unix_millis(a.end_time));
    out.set_per_user_limit(a.per_user_limit);
    out.set_created_at_ms(to_unix_millis(a.created_at));
    out.set_updated_at_ms(to_unix_millis(a.updated_at));
}

domain::SeckillActivity from_message(const v1::Activity& in) {
    domain::SeckillActivity a;
    a.id = in.id();
    a.product_id = in.product_id();
    a.product_name = in.product_name();
    a.product_image = in.product_image();
    a.original_price = in.original_price_cents();
    a.price = in.price_cents();
    a.total_stock = in.total_stock();
    a.sold = in.sold();
    a.start_time = from_unix_millis(in.start_time_ms());
    a.end_time = from_unix_millis(in.end_time_ms());
    a.per_user_limit = in.per_user_limit();
    a.created_at = from_unix_millis(in.created_at_ms());
    a.updated_at = from_unix_millis(in.updated_at_ms());
    return a;
}

}  // namespace

void to_message(const services::ActivityView& view, v1::ActivityView& out) {
    to_message(view.activity, *out.mutable_activity());
    out.set_sold(view.sold);
    out.set_remaining(view.remaining);
    out.set_state(to_message(view.state));
    out.set_token_required(view.token_required);
}

services::ActivityView from_message(const v1::ActivityView& in) {
    services::ActivityView view;
    view.activity = from_message(in.activity());
    view.sold = in.sold();
    view.remaining = in.remaining();
    view.state = from_message(in.state());
    view.token_required = in.token_required();
    return view;
}

v1::InitActivityRequest to_message(const services::NewActivity& request) {
    v1::InitActivityRequest out;
    out.set_product_id(request.product_id);
    out.set_stock(request.stock);
    if (request.price) {
        out.set_price_cents(*request.price);
    }
    if (request.start_time) {
        out.set_start_time_ms(to_unix_millis(*request.start_time));
    }
    if (request.end_time) {
        out.set_end_time_ms(to_unix_millis(*request.end_time));
    }
    if (request.per_user_limit) {
        out.set_per_user_limit(*request.per_user_limit);
    }
    return out;
}

services::NewActivity from_message(const v1::InitActivityRequest& in) {
    services::NewActivity request;
    request.product_id = in.product_id();
    request.stock = in.stock();
    if (in.has_price_cents()) {
        request.price = in.price_cents();
    }
    if (in.has_start_time_ms()) {
        request.start_time = from_unix_millis(in.start_time_ms());
    }
    if (in.has_end_time_ms()) {
        request.end_time = from_unix_millis(in.end_time_ms());
    }
    if (in.has_per_user_limit()) {
        request.per_user_limit = in.per_user_limit();
    }
    return request;
}

v1::UpdateActivityRequest to_message(std::int64_t activity_id, const services::ActivityPatch& patch) {
    v1::UpdateActivityRequest out;
    out.set_activity_id(activity_id);
    if (patch.price) {
        out.set_price_cents(*patch.price);
    }
    if (patch.stock) {
        out.set_stock(*patch.stock);
    }
    if (patch.start_time) {
        out.set_start_time_ms(to_unix_millis(*patch.start_time));
    }
    if (patch.end_time) {
        out.set_end_time_ms(to_unix_millis(*patch.end_time));
    }
    if (patch.per_user_limit) {
        out.set_per_user_limit(*patch.per_user_limit);
    }
    return out;
}

services::ActivityPatch from_message(const v1::UpdateActivityRequest& in) {
    services::ActivityPatch patch;
    if (in.has_price_cents()) {
        patch.price = in.price_cents();
    }
    if (in.has_stock()) {
        patch.stock = in.stock();
    }
    if (in.has_start_time_ms()) {
        patch.start_time = from_unix_millis(in.start_time_ms());
    }
    if (in.has_end_time_ms()) {
        patch.end_time = from_unix_millis(in.end_time_ms());
    }
    if (in.has_per_user_limit()) {
        patch.per_user_limit = in.per_user_limit();
    }
    return patch;
}

void to_message(const domain::Reservation& r, v1::Reservation& out) {
    out.set_id(r.id);
    out.set_activity_id(r.activity_id);
    out.set_product_id(r.product_id);
    out.set_user_id(r.user_id);
    out.set_seq(r.seq);
    out.set_price_cents(r.price);
    out.set_reserved_at_ms(to_unix_millis(r.reserved_at));
    out.set_status(static_cast<v1::ReservationStatus>(static_cast<int>(r.status)));
    out.set_order_no(r.order_no);
    out.set_fail_reason(r.fail_reason);
}

domain::Reservation from_message(const v1::Reservation& in) {
    domain::Reservation r;
    r.id = in.id();
    r.activity_id = in.activity_id();
    r.product_id = in.product_id();
    r.user_id = in.user_id();
    r.seq = in.seq();
    r.price = in.price_cents();
    r.reserved_at = from_unix_millis(in.reserved_at_ms());
    // The enums share their numbers (0 pending .. 3 released); a newer peer's unknown status is
    // read as pending, which makes the caller ask again rather than believe an outcome.
    const int status = static_cast<int>(in.status());
    r.status = status >= static_cast<int>(domain::ReservationStatus::kPending) &&
                       status <= static_cast<int>(domain::ReservationStatus::kReleased)
                   ? static_cast<domain::ReservationStatus>(status)
                   : domain::ReservationStatus::kPending;
    r.order_no = in.order_no();
    r.fail_reason = in.fail_reason();
    return r;
}

void to_message(const services::SeckillResult& result, v1::SeckillResult& out) {
    out.set_status(result.status);
    out.set_activity_id(result.activity_id);
    out.set_product_id(result.product_id);
    for (const auto& r : result.reservations) {
        to_message(r, *out.add_reservations());
    }
}

services::SeckillResult from_message(const v1::SeckillResult& in) {
    services::SeckillResult result;
    result.status = in.status();
    result.activity_id = in.activity_id();
    result.product_id = in.product_id();
    for (const auto& r : in.reservations()) {
        result.reservations.push_back(from_message(r));
    }
    return result;
}

}  // namespace gomall::rpc
