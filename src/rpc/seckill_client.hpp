// The flash sale of a remote seckill service: the four in-process interfaces implemented over a
// gRPC channel, so the HTTP handlers cannot tell the difference.
//
// The reads the interfaces promise never block (listing(), cached(), now(),
// refusal_from_memory(), cached_result()) cannot ask the remote service: that would put a network
// round trip, and a wait of up to its deadline, on an HTTP I/O thread. They are answered from a
// mirror this client keeps in memory instead, refreshed in the background every
// refresh_interval: the remote listing (with the remote clock, to correct now() by) and the
// cached results of the shoppers whose event streams are open. They lag the service by at most
// one interval (plus a call); that is the price of the crowd's pages never waiting on the network.
// refusal_from_memory() therefore only refuses what a slightly old listing cannot get wrong in a
// harmful way (not started, sold out, ended); everything else goes on to the remote purchase,
// which decides with the service's own memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <grpcpp/channel.h>

#include "ports/flash_sale_unit_returns.hpp"
#include "rpc/instance_pool.hpp"
#include "services/flash_sale_api.hpp"

namespace gomall::rpc {

struct SeckillClientSettings {
    /// The shared secret the service checks (see call_metadata.hpp).
    std::string peer_secret;
    /// Deadline of the calls made for a request: admin calls, result(), purchase(), issue_token().
    std::chrono::milliseconds call_timeout{2000};
    /// Deadline of purchase() and issue_token(): the crowd's calls, answered from memory and Redis.
    std::chrono::milliseconds purchase_timeout{1000};
    /// How often the mirror of the listing and of the watched results is refreshed.
    std::chrono::milliseconds refresh_interval{250};
    /// Deadline of each refresh call.
    std::chrono::milliseconds refresh_timeout{1000};
    /// A mirror older than this is not trusted to refuse a purchase (the service may be down or
    /// unreachable; the purchase itself will say so).
    std::chrono::milliseconds mirror_trusted_for{2000};
};

/// Thread-safe. Blocking calls (admin, result()) are blocking gRPC calls with the call deadline:
/// call them on the blocking pool, as the in-process service's. purchase() and issue_token() are
/// asynchronous calls that resume on the awaiting coroutine's executor. A call the transport
/// could not complete answers kUnavailable with a retry-after (or, where the interface returns
/// no Result, throws DependencyUnavailable, which the HTTP layer answers with 503).
class SeckillClient final : public services::FlashSaleAdmin,
                            public services::FlashSaleCatalog,
                            public services::FlashSalePurchases,
                            public services::FlashSaleResults,
                            public ports::FlashSaleUnitReturns {
public:
    /// Calls go to the instances of `pool` (built with make_stubs as its stub factory), which
    /// must outlive the client: round robin, except a shopper's result calls and watches, which
    /// stay on one instance (InstancePool::pick_for) so that its event stream is followed there.
    /// A transport failure is retried on another instance only for reads. `executor` runs the
    /// background refresh (on a strand of its own).
    SeckillClient(InstancePool& pool, SeckillClientSettings settings, const boost::asio::any_io_executor& executor);
    /// The stubs an InstancePool keeps per instance for this client.
    static std::shared_ptr<void> make_stubs(const std::shared_ptr<grpc::Channel>& channel);
    /// Stops the refresh (see stop()).
    ~SeckillClient() override;
    SeckillClient(const SeckillClient&) = delete;
    SeckillClient& operator=(const SeckillClient&) = delete;

    /// Starts refreshing the mirror in the background. Once.
    void start();
    /// Ends the refresh loop after its current step; does not wait for it (the loop owns what it
    /// uses, so this object may be destroyed at once).
    void stop();
    /// Refreshes the mirror once now; false when the listing could not be read. For start-up
    /// (have a listing before serving) and tests.
    boost::asio::awaitable<bool> refresh();

    services::FlashSaleApi api() { return {*this, *this, *this, *this}; }

    // --- admin: blocking calls ---
    Result<services::ActivityView> init(const services::NewActivity& request) override;
    Result<services::ActivityView> update(std::int64_t activity_id, const services::ActivityPatch& patch) override;
    Result<services::ActivityView> end(std::int64_t activity_id) override;
    std::vector<services::ActivityView> list(bool include_ended) override;
    Result<services::ActivityView> get(std::int64_t activity_id) override;

    // --- catalog: from the mirror ---
    std::vector<services::ActivityView> listing() const override;
    std::optional<services::ActivityView> cached(std::int64_t activity_id) const override;
    /// This host's clock corrected by the offset to the service's clock measured at the last refresh.
    TimePoint now() const override;

    // --- purchases ---
    std::optional<Error> refusal_from_memory(std::int64_t product_id) override;
    boost::asio::awaitable<Result<domain::Reservation>> purchase(
        std::int64_t user_id, std::int64_t product_id, std::string token = {}, TraceContext trace = {}
    ) override;
    boost::asio::awaitable<Result<std::string>> issue_token(std::int64_t user_id, std::int64_t product_id) override;

    // --- results ---
    Result<services::SeckillResult> result(std::int64_t user_id, std::int64_t product_id) override;
    std::optional<services::SeckillResult> cached_result(std::int64_t user_id, std::int64_t activity_id) const override;
    /// Also tells the service, so that it keeps the result up to date from the database.
    void watch_result(std::int64_t user_id, std::int64_t activity_id) override;
    void unwatch_result(std::int64_t user_id, std::int64_t activity_id) override;
    /// Result streams are counted by the service, not here.
    services::SeckillMetrics* metrics() const override { return nullptr; }

    // --- returns (the order service's queue of cancelled orders' units, on a plain thread) ---
    /// Blocking. kUnavailable when no instance answered: the order service sends it again.
    Result<bool> return_unit(const std::string& order_no) override;

private:
    struct Shared;  // the pool, settings and the mirror: shared with the background loop
    struct Picked;  // one call's instance, stubs and breaker permit

    /// Puts an activity this client just changed into the mirror.
    Result<services::ActivityView> remember(Result<services::ActivityView> changed);
    static boost::asio::awaitable<void> refresh_loop(std::shared_ptr<Shared> shared);
    static boost::asio::awaitable<bool> refresh_listing(std::shared_ptr<Shared> shared);
    static boost::asio::awaitable<void> refresh_watched(std::shared_ptr<Shared> shared);
    /// Asks `picked` to follow (or stop following) the shopper's result; true when it answered.
    static boost::asio::awaitable<bool> tell_watch(
        std::shared_ptr<Shared> shared, Picked& picked, std::int64_t user_id, std::int64_t activity_id, bool watch
    );
    /// Tells the service about a watch change without waiting for it (the caller is an I/O thread).
    static void send_watch_change(
        const std::shared_ptr<Shared>& shared, std::int64_t user_id, std::int64_t activity_id, bool watch
    );

    std::shared_ptr<Shared> shared_;
};

}  // namespace gomall::rpc
