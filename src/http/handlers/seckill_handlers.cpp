// Flash-sale handlers: validate input, call the flash sale's interfaces, envelope the result. The purchase, its
// token and the public listing run as coroutines on the I/O thread because they are what the crowd hammers.
#include "http/handlers/seckill_handlers.hpp"

#include <chrono>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/time.hpp"
#include "domain/seckill.hpp"
#include "http/envelope.hpp"
#include "http/handlers/seckill_views.hpp"
#include "http/json_body.hpp"

namespace gomall::http {
namespace {

using boost::asio::awaitable;

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxStock = domain::kMaxActivityStock;
constexpr Cents kMinPrice = 1;              // 0.01
constexpr Cents kMaxPrice = 1'000'000'000;  // 10,000,000.00
constexpr std::int64_t kMaxPerUserLimit = domain::kMaxPerUserLimit;
constexpr std::size_t kMaxTimeText = 64;
constexpr std::size_t kMaxTokenText = 128;
constexpr auto kEventStreamLimit = std::chrono::seconds(60);

const std::initializer_list<std::string_view> kActivityFields = {
    "price", "stock", "start_time", "end_time", "per_user_limit"};
const std::initializer_list<std::string_view> kInitFields = {
    "product_id", "price", "stock", "start_time", "end_time", "per_user_limit"};

Result<std::optional<TimePoint>> optional_time(const JsonBody& body, std::string_view name) {
    auto text = body.optional_string(name, 1, kMaxTimeText);
    if (!text.ok()) {
        return text.error();
    }
    if (!text.value()) {
        return std::optional<TimePoint>{};
    }
    const auto parsed = parse_iso8601(*text.value());
    if (!parsed) {
        const std::string field(name);
        return make_error(
            ErrorCode::kBadRequest, field + ": must be an ISO 8601 time such as 2026-11-25T01:02:03Z", field
        );
    }
    return std::optional<TimePoint>{*parsed};
}

/// ?product_id=N, required and positive.
Result<std::int64_t> product_id_param(const Request& req) {
    auto id = query_int(req, "product_id", 0, 1, kMaxId);
    if (id.ok() && id.value() == 0) {
        return make_error(ErrorCode::kBadRequest, "product_id: required", "product_id");
    }
    return id;
}

Result<bool> include_ended_param(const Request& req) {
    const auto raw = req.query_param("include_ended");
    if (!raw || raw->empty() || *raw == "false" || *raw == "0") {
        return false;
    }
    if (*raw == "true" || *raw == "1") {
        return true;
    }
    return make_error(ErrorCode::kBadRequest, "include_ended: must be true or false", "include_ended");
}

boost::json::object activity_with_time(const services::ActivityView& view, TimePoint now, const ImageUrls& images) {
    auto out = activity_json(view, images);
    add_server_time(out, now);
    return out;
}

boost::json::object listing_json(
    const std::vector<services::ActivityView>& views, TimePoint now, const ImageUrls& images
) {
    boost::json::array list;
    list.reserve(views.size());
    for (const auto& view : views) {
        list.push_back(activity_json(view, images));
    }
    boost::json::object out;
    out["list"] = std::move(list);
    add_server_time(out, now);
    return out;
}

std::string result_frame(const services::SeckillResult& result) {
    return "event: result\ndata: " + serialize_json(seckill_result_json(result)) + "\n\n";
}

bool is_final(const services::SeckillResult& result) {
    return result.status == "success" || result.status == "failed";
}

/// Pushes a shopper's result whenever memory says it changed, until it is final or a minute passes.
/// poll() only reads the service's in-memory results, so it never blocks the I/O thread.
class SeckillEventStream final : public EventStream {
public:
    SeckillEventStream(services::FlashSaleResults& seckill, std::int64_t user_id, const services::SeckillResult& first)
        : seckill_(seckill),
          user_id_(user_id),
          activity_id_(first.activity_id),
          last_frame_(result_frame(first)),
          finished_(is_final(first)),
          deadline_(std::chrono::steady_clock::now() + kEventStreamLimit) {
        // The purchase may go through another instance behind the load balancer: watched, the
        // result is read back from the database here too.
        seckill_.watch_result(user_id_, activity_id_);
        if (auto* metrics = seckill_.metrics()) {
            metrics->stream_opened();
        }
    }
    ~SeckillEventStream() override {
        seckill_.unwatch_result(user_id_, activity_id_);
        if (auto* metrics = seckill_.metrics()) {
            metrics->stream_closed();
        }
    }
    SeckillEventStream(const SeckillEventStream&) = delete;
    SeckillEventStream& operator=(const SeckillEventStream&) = delete;

    const std::string& first_frame() const { return last_frame_; }

    std::string poll() override {
        if (finished_) {
            return {};
        }
        if (std::chrono::steady_clock::now() >= deadline_) {
            finished_ = true;
            return {};
        }
        const auto current = seckill_.cached_result(user_id_, activity_id_);
        if (!current) {
            return {};
        }
        std::string frame = result_frame(*current);
        if (frame == last_frame_) {
            return {};
        }
        last_frame_ = frame;
        finished_ = is_final(*current);
        if (auto* metrics = seckill_.metrics()) {
            metrics->frame_pushed();
        }
        return frame;
    }

    bool finished() const override { return finished_; }

private:
    services::FlashSaleResults& seckill_;
    const std::int64_t user_id_;
    const std::int64_t activity_id_;
    std::string last_frame_;
    bool finished_;
    const std::chrono::steady_clock::time_point deadline_;
};

Response init_activity(Request& req, services::FlashSaleAdmin& seckill, const ImageUrls& images) {
    GOMALL_TRY(const auto body, req, JsonBody::parse(req, kInitFields));
    services::NewActivity request;
    GOMALL_TRY(request.product_id, req, body.required_int("product_id", 1, kMaxId));
    GOMALL_TRY(request.stock, req, body.required_int("stock", 1, kMaxStock));
    GOMALL_TRY(request.price, req, body.optional_money("price", kMinPrice, kMaxPrice));
    GOMALL_TRY(request.start_time, req, optional_time(body, "start_time"));
    GOMALL_TRY(request.end_time, req, optional_time(body, "end_time"));
    GOMALL_TRY(const auto limit, req, body.optional_int("per_user_limit", 1, kMaxPerUserLimit));
    if (limit) {
        request.per_user_limit = static_cast<int>(*limit);
    }
    // The original GoMall's init answered {product_id, stock}: "stock" beside our total_stock.
    return respond(
        req,
        seckill.init(request),
        [&images](const services::ActivityView& view) {
            auto out = activity_json(view, images);
            out["stock"] = view.activity.total_stock;
            return out;
        },
        201
    );
}

Response update_activity(Request& req, services::FlashSaleAdmin& seckill, const ImageUrls& images) {
    GOMALL_TRY(const auto id, req, path_id(req, "id"));
    GOMALL_TRY(const auto body, req, JsonBody::parse(req, kActivityFields));
    services::ActivityPatch patch;
    GOMALL_TRY(patch.price, req, body.optional_money("price", kMinPrice, kMaxPrice));
    GOMALL_TRY(patch.stock, req, body.optional_int("stock", 1, kMaxStock));
    GOMALL_TRY(patch.start_time, req, optional_time(body, "start_time"));
    GOMALL_TRY(patch.end_time, req, optional_time(body, "end_time"));
    GOMALL_TRY(const auto limit, req, body.optional_int("per_user_limit", 1, kMaxPerUserLimit));
    if (limit) {
        patch.per_user_limit = static_cast<int>(*limit);
    }
    return respond(req, seckill.update(id, patch), activity_view(images));
}

awaitable<Response> list_activities(
    Request& req, const services::FlashSaleApi& seckill, BlockingPool& pool, const ImageUrls& images
) {
    const auto include_ended = include_ended_param(req);
    if (!include_ended.ok()) {
        co_return error_response(req, include_ended.error());
    }
    if (!include_ended.value()) {
        // The crowd's countdown page: memory only, never the database.
        co_return ok(req, listing_json(seckill.catalog.listing(), seckill.catalog.now(), images));
    }
    // Ended activities are history the index does not keep: the admin view reads the database.
    auto all = co_await pool.run([&admin = seckill.admin] { return admin.list(true); });
    co_return ok(req, listing_json(all, seckill.catalog.now(), images));
}

awaitable<Response> purchase(Request& req, services::FlashSalePurchases& seckill) {
    auto body = JsonBody::parse(req, {"product_id", "token"});
    if (!body.ok()) {
        co_return error_response(req, body.error());
    }
    const auto product_id = body->required_int("product_id", 1, kMaxId);
    if (!product_id.ok()) {
        co_return error_response(req, product_id.error());
    }
    const auto token = body->optional_string("token", 0, kMaxTokenText);
    if (!token.ok()) {
        co_return error_response(req, token.error());
    }
    auto reservation =
        co_await seckill.purchase(req.user_id(), product_id.value(), token.value().value_or(""), req.span.context());
    Response res = respond(req, reservation, queued_json);
    if (!reservation.ok() && reservation.error().code == ErrorCode::kSeckillRateLimited) {
        // The shopper's bucket refills at one attempt a second or faster (the config allows no slower
        // rate), so a second always brings one back.
        res.set_header("Retry-After", "1");
    }
    co_return res;
}

awaitable<Response> issue_token(Request& req, services::FlashSalePurchases& seckill) {
    auto body = JsonBody::parse(req, {"product_id"});
    if (!body.ok()) {
        co_return error_response(req, body.error());
    }
    const auto product_id = body->required_int("product_id", 1, kMaxId);
    if (!product_id.ok()) {
        co_return error_response(req, product_id.error());
    }
    const auto token = co_await seckill.issue_token(req.user_id(), product_id.value());
    co_return respond(req, token, [](const std::string& issued) { return boost::json::object{{"token", issued}}; });
}

Response result_events(Request& req, services::FlashSaleResults& seckill) {
    GOMALL_TRY(const auto product_id, req, product_id_param(req));
    // The first frame comes from the database (blocking handler), so it is right even after a restart;
    // later frames come from memory, which result() has just brought up to date.
    GOMALL_TRY(const auto first, req, seckill.result(req.user_id(), product_id));
    auto stream = std::make_shared<SeckillEventStream>(seckill, req.user_id(), first);
    Response res;
    res.status = 200;
    res.content_type = "text/event-stream";
    res.body = stream->first_frame();
    res.events = std::move(stream);
    return res;
}

}  // namespace

void register_seckill_routes(
    Router& router, const services::FlashSaleApi& seckill, BlockingPool& pool, const ImageUrls& images
) {
    services::FlashSaleAdmin& admin = seckill.admin;
    services::FlashSaleCatalog& catalog = seckill.catalog;
    services::FlashSalePurchases& purchases = seckill.purchases;
    services::FlashSaleResults& results = seckill.results;
    router.post(
        "/api/seckill/init", [&admin, &images](Request& req) { return init_activity(req, admin, images); }, admin_only()
    );

    router.add_async(Method::kGet, "/api/seckill/activities", [seckill, &pool, &images](Request& req) {
        return list_activities(req, seckill, pool, images);
    });

    RouteOptions detail_options;
    // Indexed activities (every running or upcoming one) are answered on the I/O thread.
    detail_options.fast_path = [&catalog, &images](Request& req) -> std::optional<Response> {
        const auto id = path_id(req, "id");
        if (!id.ok()) {
            return error_response(req, id.error());
        }
        if (auto view = catalog.cached(id.value())) {
            return ok(req, activity_with_time(*view, catalog.now(), images));
        }
        return std::nullopt;
    };
    router.get(
        "/api/seckill/activities/:id",
        [&admin, &catalog, &images](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            GOMALL_TRY(const auto view, req, admin.get(id));
            return ok(req, activity_with_time(view, catalog.now(), images));
        },
        std::move(detail_options)
    );

    router.put(
        "/api/seckill/activities/:id",
        [&admin, &images](Request& req) { return update_activity(req, admin, images); },
        admin_only()
    );
    router.post(
        "/api/seckill/activities/:id/end",
        [&admin, &images](Request& req) -> Response {
            GOMALL_TRY(const auto id, req, path_id(req, "id"));
            return respond(req, admin.end(id), activity_view(images));
        },
        admin_only()
    );

    RouteOptions purchase_options = signed_in();
    // Bad input and what memory alone refuses (no sale, not started, ended, sold out) are answered on
    // the I/O thread: once a sale is sold out, that is nearly every request of its crowd.
    purchase_options.fast_path = [&purchases](Request& req) -> std::optional<Response> {
        auto body = JsonBody::parse(req, {"product_id", "token"});
        if (!body.ok()) {
            return error_response(req, body.error());
        }
        const auto product_id = body->required_int("product_id", 1, kMaxId);
        if (!product_id.ok()) {
            return error_response(req, product_id.error());
        }
        if (const auto token = body->optional_string("token", 0, kMaxTokenText); !token.ok()) {
            return error_response(req, token.error());
        }
        if (auto refused = purchases.refusal_from_memory(product_id.value())) {
            return error_response(req, *refused);
        }
        return std::nullopt;
    };
    router.add_async(
        Method::kPost, "/api/seckill", [&purchases](Request& req) { return purchase(req, purchases); }, purchase_options
    );
    router.add_async(
        Method::kPost,
        "/api/seckill/token",
        [&purchases](Request& req) { return issue_token(req, purchases); },
        signed_in()
    );

    router.get(
        "/api/seckill/result",
        [&results](Request& req) -> Response {
            GOMALL_TRY(const auto product_id, req, product_id_param(req));
            return respond(req, results.result(req.user_id(), product_id), seckill_result_json);
        },
        signed_in()
    );
    router.get(
        "/api/seckill/events", [&results](Request& req) { return result_events(req, results); }, signed_in()
    );
}

}  // namespace gomall::http
