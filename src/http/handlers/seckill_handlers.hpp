// HTTP routes of the flash sale: admin maintenance, the public activity listing, purchase, results
// and the server-sent-events stream of a shopper's result.
#pragma once

#include "http/blocking_pool.hpp"
#include "http/image_urls.hpp"
#include "http/router.hpp"
#include "services/flash_sale_api.hpp"

namespace gomall::http {

/// Registers POST /api/seckill/init (admin), GET /api/seckill/activities (public, from memory unless
/// include_ended=true), GET /api/seckill/activities/:id (public, memory fast path),
/// PUT /api/seckill/activities/:id and POST /api/seckill/activities/:id/end (admin),
/// POST /api/seckill and POST /api/seckill/token (user, coroutines on the I/O thread),
/// GET /api/seckill/result and GET /api/seckill/events (user). What `seckill` refers to, `pool` and
/// `images` must outlive the router.
void register_seckill_routes(
    Router& router, const services::FlashSaleApi& seckill, BlockingPool& pool, const ImageUrls& images
);

}  // namespace gomall::http
