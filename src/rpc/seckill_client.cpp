// SeckillClient: blocking and asynchronous calls to the FlashSale* services, and the mirror that
// answers the non-blocking reads.
#include "rpc/seckill_client.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <grpcpp/client_context.h>
#include <spdlog/spdlog.h>

#include "core/unavailable.hpp"
#include "gomall/v1/seckill.grpc.pb.h"
#include "rpc/async_call.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/mirrored_listing.hpp"
#include "rpc/pooled_call.hpp"
#include "rpc/purchase_batcher.hpp"
#include "rpc/seckill_messages.hpp"
#include "rpc/status_mapping.hpp"

namespace gomall::rpc {

namespace asio = boost::asio;
using services::ActivityView;
using services::SeckillResult;

namespace {

using ResultKey = std::pair<std::int64_t, std::int64_t>;  // (user_id, activity_id)

/// The last listing and results read from the service. Guarded by Shared::mutex.
struct Mirror {
    MirroredListing listing;
    std::chrono::system_clock::duration clock_offset{0};  // service's clock minus ours
    std::optional<std::chrono::steady_clock::time_point> refreshed_at;
    std::map<ResultKey, int> watched;  // open event streams per (user, activity)
    std::map<ResultKey, SeckillResult> results;
    std::map<ResultKey, std::string> told;  // the instance that was asked to follow each watched result
};

}  // namespace

namespace {

/// The stubs of one instance (InstancePool::Target::stubs).
struct FlashSaleStubs {
    explicit FlashSaleStubs(const std::shared_ptr<grpc::Channel>& channel)
        : admin(v1::FlashSaleAdmin::NewStub(channel)),
          catalog(v1::FlashSaleCatalog::NewStub(channel)),
          purchases(v1::FlashSalePurchases::NewStub(channel)),
          results(v1::FlashSaleResults::NewStub(channel)),
          returns(v1::FlashSaleReturns::NewStub(channel)) {}

    const std::unique_ptr<v1::FlashSaleAdmin::Stub> admin;
    const std::unique_ptr<v1::FlashSaleCatalog::Stub> catalog;
    const std::unique_ptr<v1::FlashSalePurchases::Stub> purchases;
    const std::unique_ptr<v1::FlashSaleResults::Stub> results;
    const std::unique_ptr<v1::FlashSaleReturns::Stub> returns;
    /// This instance's purchase batches, made at the first purchase (it needs the client's settings).
    std::once_flag batcher_made;
    std::unique_ptr<PurchaseBatcher> batcher;
};

/// Batches go out with the peer secret and the earliest deadline of their purchases; the shoppers
/// and their spans travel in the items.
std::unique_ptr<PurchaseBatcher> make_batcher(FlashSaleStubs& stubs, const SeckillClientSettings& settings) {
    PurchaseBatcherSettings batching;
    batching.timeout = settings.purchase_timeout;
    auto send = [&stubs, secret = settings.peer_secret](
                    v1::PurchaseBatchRequest request,
                    std::chrono::steady_clock::time_point deadline,
                    PurchaseBatcher::Done done
                ) {
        struct Pending {
            grpc::ClientContext context;
            v1::PurchaseBatchRequest request;
            v1::PurchaseBatchResponse response;
        };
        auto pending = std::make_shared<Pending>();
        pending->request = std::move(request);
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        prepare_context(pending->context, OutgoingCall{std::max(left, std::chrono::milliseconds(1)), {}, {}}, secret);
        stubs.purchases->async()->PurchaseBatch(
            &pending->context,
            &pending->request,
            &pending->response,
            [pending, done = std::move(done)](grpc::Status status) {
                done(std::move(status), std::move(pending->response));
            }
        );
    };
    return std::make_unique<PurchaseBatcher>(std::move(send), batching);
}

Error no_instance() {
    return no_instance_of("the flash sale");
}

/// A purchase or token call that reached no answer reads as the in-process sale's "busy": the
/// shopper tries again, and their result shows a unit the instance took before it went away.
Error busy_after(const grpc::Status& status) {
    Error error = status.ok() ? no_instance() : from_grpc_status(status);
    if (error.code == ErrorCode::kUnavailable) {
        error.code = ErrorCode::kSeckillBusy;
        error.message = "the flash sale is busy, please try again";
    }
    return error;
}

}  // namespace

/// One call's instance, its stubs and its breaker's permit.
struct SeckillClient::Picked : PickedInstance<FlashSaleStubs> {};

struct SeckillClient::Shared {
    Shared(InstancePool& instances, SeckillClientSettings s, const asio::any_io_executor& executor)
        : settings(std::move(s)), pool(instances), strand(asio::make_strand(executor)), timer(strand) {}

    OutgoingCall call(std::optional<std::int64_t> user_id = std::nullopt, TraceContext trace = {}) const {
        return OutgoingCall{settings.call_timeout, user_id, trace};
    }
    OutgoingCall purchase_call(std::int64_t user_id, TraceContext trace = {}) const {
        return OutgoingCall{settings.purchase_timeout, user_id, trace};
    }
    OutgoingCall refresh_call(std::optional<std::int64_t> user_id = std::nullopt) const {
        return OutgoingCall{settings.refresh_timeout, user_id, {}};
    }

    static InstanceChoice choice_of(std::optional<std::int64_t> pin) {
        return pin ? InstanceChoice::for_key(static_cast<std::uint64_t>(*pin)) : InstanceChoice{};
    }

    /// An instance whose breaker lets the call through: round robin, or the shopper's own instance
    /// when `pin` is set (their event stream's results are followed there). nullopt: none.
    std::optional<Picked> pick(std::optional<std::int64_t> pin = std::nullopt) const {
        auto picked = pick_instance<FlashSaleStubs>(pool, choice_of(pin));
        if (!picked) {
            return std::nullopt;
        }
        return Picked{std::move(*picked)};
    }

    /// A blocking call: `invoke(stubs, context, response)` calls a stub. `attempts` > 1 only for
    /// calls that change nothing: a transport failure is then tried on another instance.
    template <class Response, class Invoke>
    Result<Response> blocking(
        const OutgoingCall& outgoing, Invoke invoke, int attempts = 1, std::optional<std::int64_t> pin = std::nullopt
    ) const {
        const BlockingCall call{outgoing, settings.peer_secret, "the flash sale", attempts, choice_of(pin)};
        return call_blocking<FlashSaleStubs, Response>(pool, call, std::move(invoke));
    }

    const SeckillClientSettings settings;
    InstancePool& pool;

    asio::strand<asio::any_io_executor> strand;  // the refresh loop and its timer
    asio::steady_timer timer;                    // on the strand
    std::atomic<bool> started{false};
    std::atomic<bool> stopping{false};

    mutable std::mutex mutex;
    Mirror mirror;  // guarded by mutex
};

namespace {

/// For the calls whose interface has no Result to carry a failure.
[[noreturn]] void throw_call_failure(const Error& error) {
    if (error.code == ErrorCode::kUnavailable) {
        throw DependencyUnavailable(error.message, error.retry_after);
    }
    throw std::runtime_error("flash-sale service call failed: " + error.message);
}

template <class Message>
Result<ActivityView> activity_of(const Result<Message>& answer) {
    if (!answer.ok()) {
        return answer.error();
    }
    return from_message(answer.value());
}

/// The view as it stands at `now`: the state moves on with time between refreshes.
ActivityView at(ActivityView view, TimePoint now) {
    view.state = domain::activity_state(view.activity, view.remaining, now);
    return view;
}

}  // namespace

SeckillClient::SeckillClient(InstancePool& pool, SeckillClientSettings settings, const asio::any_io_executor& executor)
    : shared_(std::make_shared<Shared>(pool, std::move(settings), executor)) {}

std::shared_ptr<void> SeckillClient::make_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return std::make_shared<FlashSaleStubs>(channel);
}

SeckillClient::~SeckillClient() {
    try {
        stop();
    } catch (...) {
        // Only posting the timer's cancellation can throw (no memory); the loop then ends at its
        // next step anyway, because `stopping` is set before the post.
    }
}

void SeckillClient::start() {
    if (shared_->started.exchange(true)) {
        return;
    }
    asio::co_spawn(shared_->strand, refresh_loop(shared_), asio::detached);
}

asio::awaitable<void> SeckillClient::refresh_loop(std::shared_ptr<Shared> shared) {
    while (!shared->stopping) {
        co_await refresh_listing(shared);
        co_await refresh_watched(shared);
        if (shared->stopping) {
            break;
        }
        shared->timer.expires_after(shared->settings.refresh_interval);
        co_await shared->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> SeckillClient::refresh_watched(std::shared_ptr<Shared> shared) {
    // One call per open event stream of this gateway.
    std::vector<ResultKey> watched;
    {
        const std::lock_guard lock(shared->mutex);
        for (const auto& entry : shared->mirror.watched) {
            watched.push_back(entry.first);
        }
    }
    for (const auto& [user_id, activity_id] : watched) {
        auto picked = shared->pick(user_id);
        if (!picked) {
            co_return;
        }
        auto* stubs = picked->stubs;
        std::string told;
        {
            const std::lock_guard lock(shared->mutex);
            const auto it = shared->mirror.told.find({user_id, activity_id});
            told = it == shared->mirror.told.end() ? std::string() : it->second;
        }
        if (told != picked->target->id) {
            // The shopper's instance changed (it left, or its breaker opened): the new one must
            // follow the result from the database from now on.
            if (!co_await tell_watch(shared, *picked, user_id, activity_id, true)) {
                continue;
            }
        }
        v1::ActivityRequest request;
        request.set_activity_id(activity_id);
        auto outcome = co_await async_call<v1::CachedSeckillResult>(
            request,
            shared->refresh_call(user_id),
            shared->settings.peer_secret,
            [stubs](auto* context, auto* req, auto* resp, auto done) {
                stubs->results->async()->CachedResult(context, req, resp, std::move(done));
            }
        );
        picked->report(outcome.status);
        if (outcome.status.ok() && outcome.response.has_result()) {
            const std::lock_guard lock(shared->mutex);
            if (shared->mirror.watched.contains({user_id, activity_id})) {
                shared->mirror.results[{user_id, activity_id}] = from_message(outcome.response.result());
            }
        }
    }
}

asio::awaitable<bool> SeckillClient::tell_watch(
    std::shared_ptr<Shared> shared, Picked& picked, std::int64_t user_id, std::int64_t activity_id, bool watch
) {
    v1::ActivityRequest request;
    request.set_activity_id(activity_id);
    auto* stubs = picked.stubs;
    auto outcome = co_await async_call<v1::Empty>(
        request,
        shared->refresh_call(user_id),
        shared->settings.peer_secret,
        [stubs, watch](auto* context, auto* req, auto* resp, auto done) {
            if (watch) {
                stubs->results->async()->WatchResult(context, req, resp, std::move(done));
            } else {
                stubs->results->async()->UnwatchResult(context, req, resp, std::move(done));
            }
        }
    );
    picked.report(outcome.status);
    const std::lock_guard lock(shared->mutex);
    const ResultKey key{user_id, activity_id};
    if (outcome.status.ok() && watch && shared->mirror.watched.contains(key)) {
        shared->mirror.told[key] = picked.target->id;
    }
    co_return outcome.status.ok();
}

void SeckillClient::stop() {
    if (shared_->stopping.exchange(true) || !shared_->started) {
        return;
    }
    asio::post(shared_->strand, [shared = shared_] { shared->timer.cancel(); });
}

asio::awaitable<bool> SeckillClient::refresh() {
    co_return co_await refresh_listing(shared_);
}

asio::awaitable<bool> SeckillClient::refresh_listing(std::shared_ptr<Shared> shared) {
    auto picked = shared->pick();
    if (!picked) {
        co_return false;  // the mirror ages; refusal_from_memory() stops trusting it
    }
    auto* stubs = picked->stubs;
    const auto asked_at = std::chrono::system_clock::now();
    const auto asked_at_steady = std::chrono::steady_clock::now();
    auto outcome = co_await async_call<v1::ActivityList>(
        v1::Empty{},
        shared->refresh_call(),
        shared->settings.peer_secret,
        [stubs](auto* context, auto* request, auto* response, auto done) {
            stubs->catalog->async()->Listing(context, request, response, std::move(done));
        }
    );
    picked->report(outcome.status);
    if (!outcome.status.ok()) {
        co_return false;
    }
    const auto answered_at = std::chrono::system_clock::now();
    std::vector<ActivityView> listing;
    listing.reserve(static_cast<std::size_t>(outcome.response.activities_size()));
    for (const auto& view : outcome.response.activities()) {
        listing.push_back(from_message(view));
    }
    // The service read its clock somewhere between asking and the answer: assume the middle.
    const auto our_time = asked_at + (answered_at - asked_at) / 2;
    const auto offset = from_unix_millis(outcome.response.server_time_ms()) - our_time;

    const std::lock_guard lock(shared->mutex);
    shared->mirror.listing.replace(std::move(listing), asked_at_steady);
    shared->mirror.clock_offset = offset;
    shared->mirror.refreshed_at = std::chrono::steady_clock::now();
    co_return true;
}

// ------------------------------------------------------------------------------------------ admin

Result<ActivityView> SeckillClient::remember(Result<ActivityView> changed) {
    // Written through to the mirror: what this gateway's admin just did shows at once in its own
    // reads (an ended sale reads "ended" until the next refresh drops it from the listing).
    if (changed.ok()) {
        const std::lock_guard lock(shared_->mutex);
        shared_->mirror.listing.remember(changed.value(), std::chrono::steady_clock::now());
    }
    return changed;
}

Result<ActivityView> SeckillClient::init(const services::NewActivity& request) {
    const auto message = to_message(request);
    return remember(activity_of(shared_->blocking<v1::ActivityView>(
        shared_->call(),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.admin->Init(&context, message, &response);
        }
    )));
}

Result<ActivityView> SeckillClient::update(std::int64_t activity_id, const services::ActivityPatch& patch) {
    const auto message = to_message(activity_id, patch);
    return remember(activity_of(shared_->blocking<v1::ActivityView>(
        shared_->call(),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.admin->Update(&context, message, &response);
        }
    )));
}

Result<ActivityView> SeckillClient::end(std::int64_t activity_id) {
    v1::ActivityRequest message;
    message.set_activity_id(activity_id);
    return remember(activity_of(shared_->blocking<v1::ActivityView>(
        shared_->call(),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.admin->End(&context, message, &response);
        }
    )));
}

std::vector<ActivityView> SeckillClient::list(bool include_ended) {
    v1::ListActivitiesRequest message;
    message.set_include_ended(include_ended);
    const auto answer = shared_->blocking<v1::ActivityList>(
        shared_->call(),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.admin->List(&context, message, &response);
        },
        2
    );
    if (!answer.ok()) {
        throw_call_failure(answer.error());
    }
    std::vector<ActivityView> views;
    for (const auto& view : answer->activities()) {
        views.push_back(from_message(view));
    }
    return views;
}

Result<ActivityView> SeckillClient::get(std::int64_t activity_id) {
    v1::ActivityRequest message;
    message.set_activity_id(activity_id);
    return activity_of(shared_->blocking<v1::ActivityView>(
        shared_->call(),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.admin->Get(&context, message, &response);
        },
        2
    ));
}

// ---------------------------------------------------------------------------------------- catalog

std::vector<ActivityView> SeckillClient::listing() const {
    const TimePoint time = now();
    std::vector<ActivityView> views;
    {
        const std::lock_guard lock(shared_->mutex);
        views = shared_->mirror.listing.views();
    }
    std::vector<ActivityView> current;
    for (auto& view : views) {
        auto moved_on = at(std::move(view), time);
        if (moved_on.state != domain::ActivityState::kEnded) {
            current.push_back(std::move(moved_on));
        }
    }
    // The service's order: active first, then by start time.
    std::stable_sort(current.begin(), current.end(), [](const ActivityView& a, const ActivityView& b) {
        const bool a_active = a.state == domain::ActivityState::kActive;
        const bool b_active = b.state == domain::ActivityState::kActive;
        if (a_active != b_active) {
            return a_active;
        }
        return a.activity.start_time < b.activity.start_time;
    });
    return current;
}

std::optional<ActivityView> SeckillClient::cached(std::int64_t activity_id) const {
    const TimePoint time = now();
    const std::lock_guard lock(shared_->mutex);
    for (const auto& view : shared_->mirror.listing.views()) {
        if (view.activity.id == activity_id) {
            return at(view, time);
        }
    }
    return std::nullopt;
}

TimePoint SeckillClient::now() const {
    const std::lock_guard lock(shared_->mutex);
    return std::chrono::system_clock::now() + shared_->mirror.clock_offset;
}

// -------------------------------------------------------------------------------------- purchases

std::optional<Error> SeckillClient::refusal_from_memory(std::int64_t product_id) {
    const TimePoint time = now();
    const std::lock_guard lock(shared_->mutex);
    const auto& mirror = shared_->mirror;
    const auto age =
        std::chrono::steady_clock::now() - mirror.refreshed_at.value_or(std::chrono::steady_clock::time_point{});
    if (!mirror.refreshed_at || age > shared_->settings.mirror_trusted_for) {
        return std::nullopt;
    }
    // As the service's index chooses: the sale running now, else the next to start, else one that
    // ended (still listed when this gateway's admin has just ended it, beside a new one).
    const ActivityView* running = nullptr;
    const ActivityView* upcoming = nullptr;
    const ActivityView* ended = nullptr;
    for (const auto& view : mirror.listing.views()) {
        if (view.activity.product_id != product_id) {
            continue;
        }
        switch (domain::activity_state(view.activity, view.remaining, time)) {
            case domain::ActivityState::kActive:
                return std::nullopt;
            case domain::ActivityState::kSoldOut:
                running = &view;
                break;
            case domain::ActivityState::kUpcoming:
                if (upcoming == nullptr || view.activity.start_time < upcoming->activity.start_time) {
                    upcoming = &view;
                }
                break;
            case domain::ActivityState::kEnded:
                ended = &view;
                break;
        }
    }
    if (running != nullptr) {
        // Stale by at most one refresh: a returned unit goes back on sale that much later here.
        return make_error(ErrorCode::kSoldOut, "sold out: every unit of this flash sale is taken");
    }
    if (upcoming != nullptr) {
        return make_error(
            ErrorCode::kNotStarted,
            "the flash sale has not started yet; it starts at " + format_iso8601(upcoming->activity.start_time)
        );
    }
    if (ended != nullptr) {
        return make_error(ErrorCode::kEnded, "the flash sale has ended");
    }
    return std::nullopt;  // not in the listing: the service decides (it may have just been created)
}

asio::awaitable<Result<domain::Reservation>> SeckillClient::purchase(
    std::int64_t user_id, std::int64_t product_id, std::string token, TraceContext trace
) {
    auto shared = shared_;  // the coroutine may outlive a moment of this object's attention
    auto picked = shared->pick();
    if (!picked) {
        co_return busy_after(grpc::Status::OK);
    }
    // Never retried on another instance: a purchase that reached a service may have taken a unit.
    auto* stubs = picked->stubs;
    std::call_once(stubs->batcher_made, [&] { stubs->batcher = make_batcher(*stubs, shared->settings); });
    v1::PurchaseBatchItem item;
    item.set_user_id(user_id);
    item.set_product_id(product_id);
    item.set_token(std::move(token));
    if (trace.valid()) {
        item.set_traceparent(format_traceparent(trace));
    }
    auto answer = co_await stubs->batcher->purchase(std::move(item));
    picked->report(answer.status);
    if (!answer.status.ok()) {
        co_return busy_after(answer.status);
    }
    if (answer.outcome.has_reservation()) {
        co_return from_message(answer.outcome.reservation());
    }
    if (auto refused = from_error_detail(answer.outcome.error())) {
        co_return std::move(*refused);
    }
    co_return busy_after(grpc::Status(grpc::StatusCode::INTERNAL, "a batch outcome with neither a unit nor an error"));
}

asio::awaitable<Result<std::string>> SeckillClient::issue_token(std::int64_t user_id, std::int64_t product_id) {
    v1::ProductRequest request;
    request.set_product_id(product_id);
    auto shared = shared_;
    auto picked = shared->pick();
    if (!picked) {
        co_return busy_after(grpc::Status::OK);
    }
    auto* stubs = picked->stubs;
    auto outcome = co_await async_call<v1::IssuedToken>(
        std::move(request),
        shared->purchase_call(user_id),
        shared->settings.peer_secret,
        [stubs](auto* context, auto* req, auto* resp, auto done) {
            stubs->purchases->async()->IssueToken(context, req, resp, std::move(done));
        }
    );
    picked->report(outcome.status);
    if (!outcome.status.ok()) {
        co_return busy_after(outcome.status);
    }
    co_return outcome.response.token();
}

// ---------------------------------------------------------------------------------------- results

Result<SeckillResult> SeckillClient::result(std::int64_t user_id, std::int64_t product_id) {
    v1::ProductRequest message;
    message.set_product_id(product_id);
    const auto answer = shared_->blocking<v1::SeckillResult>(
        shared_->call(user_id),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.results->Result(&context, message, &response);
        },
        2,
        user_id
    );
    if (!answer.ok()) {
        return answer.error();
    }
    SeckillResult result = from_message(answer.value());
    const std::lock_guard lock(shared_->mutex);
    const ResultKey key{user_id, result.activity_id};
    if (shared_->mirror.watched.contains(key)) {
        shared_->mirror.results[key] = result;
    }
    return result;
}

std::optional<SeckillResult> SeckillClient::cached_result(std::int64_t user_id, std::int64_t activity_id) const {
    const std::lock_guard lock(shared_->mutex);
    const auto it = shared_->mirror.results.find({user_id, activity_id});
    if (it == shared_->mirror.results.end()) {
        return std::nullopt;
    }
    return it->second;
}

void SeckillClient::send_watch_change(
    const std::shared_ptr<Shared>& shared, std::int64_t user_id, std::int64_t activity_id, bool watch
) {
    auto send = [](std::shared_ptr<Shared> s, std::int64_t user, std::int64_t activity, bool w
                ) -> asio::awaitable<void> {
        // A lost change only costs freshness: the next refresh tells the shopper's instance again.
        if (auto picked = s->pick(user)) {
            co_await tell_watch(s, *picked, user, activity, w);
        }
    };
    asio::co_spawn(shared->strand, send(shared, user_id, activity_id, watch), asio::detached);
}

void SeckillClient::watch_result(std::int64_t user_id, std::int64_t activity_id) {
    const ResultKey key{user_id, activity_id};
    bool first = false;
    {
        const std::lock_guard lock(shared_->mutex);
        first = ++shared_->mirror.watched[key] == 1;
    }
    if (first) {
        send_watch_change(shared_, user_id, activity_id, true);
    }
}

void SeckillClient::unwatch_result(std::int64_t user_id, std::int64_t activity_id) {
    const ResultKey key{user_id, activity_id};
    bool last = false;
    {
        const std::lock_guard lock(shared_->mutex);
        const auto it = shared_->mirror.watched.find(key);
        if (it == shared_->mirror.watched.end()) {
            return;
        }
        if (--it->second == 0) {
            shared_->mirror.watched.erase(it);
            shared_->mirror.results.erase(key);
            shared_->mirror.told.erase(key);
            last = true;
        }
    }
    if (last) {
        send_watch_change(shared_, user_id, activity_id, false);
    }
}

// ---------------------------------------------------------------------------------------- returns

Result<bool> SeckillClient::return_unit(const std::string& order_no) {
    v1::ReturnUnitRequest message;
    message.set_order_no(order_no);
    // Idempotent by order number (only the first call releases anything): a call that reached no
    // instance is tried on another one, and the order service's queue sends it again later.
    constexpr int kIdempotentAttempts = 2;
    const auto answer = shared_->blocking<v1::ReturnUnitAnswer>(
        shared_->call(),
        [&](FlashSaleStubs& stubs, auto& context, auto& response) {
            return stubs.returns->ReturnUnit(&context, message, &response);
        },
        kIdempotentAttempts
    );
    if (!answer.ok()) {
        return answer.error();
    }
    return answer->released();
}

}  // namespace gomall::rpc
