// The flash sale's values <-> their gomall.v1 messages, used by both ends of the rpc. Times travel
// as unix milliseconds (rpc/unix_millis.hpp), money as cents.
#pragma once

#include <cstdint>

#include "gomall/v1/seckill.pb.h"
#include "rpc/unix_millis.hpp"
#include "services/flash_sale_api.hpp"

namespace gomall::rpc {

void to_message(const services::ActivityView& view, v1::ActivityView& out);
services::ActivityView from_message(const v1::ActivityView& in);

v1::InitActivityRequest to_message(const services::NewActivity& request);
services::NewActivity from_message(const v1::InitActivityRequest& in);

v1::UpdateActivityRequest to_message(std::int64_t activity_id, const services::ActivityPatch& patch);
services::ActivityPatch from_message(const v1::UpdateActivityRequest& in);

void to_message(const domain::Reservation& reservation, v1::Reservation& out);
domain::Reservation from_message(const v1::Reservation& in);

void to_message(const services::SeckillResult& result, v1::SeckillResult& out);
services::SeckillResult from_message(const v1::SeckillResult& in);

}  // namespace gomall::rpc
