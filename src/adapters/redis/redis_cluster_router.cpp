// The slot map is an array of node indexes read under a shared lock on every command; it is
// replaced from CLUSTER SLOTS on the Redis thread, and patched slot by slot by MOVED replies.
#include "adapters/redis/redis_cluster_router.hpp"

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

#include "adapters/redis/redis_connection.hpp"

namespace gomall::adapters::redis {
namespace {

/// Redirections followed for one command before it fails: a slot moves at most twice during a
/// resharding step (MOVED to the new owner, or ASK while it migrates).
constexpr int kMaxRedirections = 5;

bool busy_cluster(const RedisReply& reply) {
    return reply.is_error() && (reply.text.rfind("TRYAGAIN", 0) == 0 || reply.text.rfind("CLUSTERDOWN", 0) == 0);
}

}  // namespace

/// Follows MOVED and ASK (and retries TRYAGAIN/CLUSTERDOWN a little later) before passing the
/// reply on. A command that may have run (its link was lost after sending) is never re-sent.
class RedisClusterRouter::RedirectingSink final : public ReplySink {
public:
    RedirectingSink(
        std::shared_ptr<RedisClusterRouter> router,
        std::vector<std::string> args,
        std::unique_ptr<ReplySink> inner,
        int attempt
    )
        : router_(std::move(router)), args_(std::move(args)), inner_(std::move(inner)), attempt_(attempt) {}

    void complete(std::exception_ptr error, RedisReply reply) override {
        if (error) {
            router_->request_refresh();
            inner_->complete(error, std::move(reply));
            return;
        }
        if (attempt_ < kMaxRedirections && !router_->stopping_) {
            if (const auto redirection = parse_redirection(reply)) {
                if (redirection->kind == Redirection::Kind::kMoved) {
                    router_->learn(redirection->slot, redirection->target);
                    router_->request_refresh();
                }
                auto node = router_->node_at(redirection->target);
                auto next = std::make_unique<RedirectingSink>(router_, args_, std::move(inner_), attempt_ + 1);
                router_->send(node, std::move(args_), std::move(next), redirection->kind == Redirection::Kind::kAsk);
                return;
            }
            if (busy_cluster(reply)) {
                // A failover or a migration is under way: try again shortly, on a fresh map.
                router_->request_refresh();
                auto timer = std::make_shared<boost::asio::steady_timer>(router_->io_);
                timer->expires_after(std::chrono::milliseconds(50) * (attempt_ + 1));
                timer->async_wait(
                    [timer, router = router_, args = std::move(args_), inner = std::move(inner_), attempt = attempt_](
                        auto
                    ) mutable { router->route(std::move(args), std::move(inner), attempt + 1); }
                );
                return;
            }
        }
        inner_->complete(nullptr, std::move(reply));
    }

private:
    std::shared_ptr<RedisClusterRouter> router_;
    std::vector<std::string> args_;
    std::unique_ptr<ReplySink> inner_;
    int attempt_;
};

/// Receives a CLUSTER SLOTS reply and installs it.
class RedisClusterRouter::SlotsSink final : public ReplySink {
public:
    SlotsSink(std::shared_ptr<RedisClusterRouter> router, NodeAddress asked)
        : router_(std::move(router)), asked_(std::move(asked)) {}

    void complete(std::exception_ptr error, RedisReply reply) override {
        router_->refreshing_ = false;
        if (error) {
            return;  // the periodic reload tries another node
        }
        try {
            router_->apply(parse_cluster_slots(reply, asked_));
        } catch (const std::exception& e) {
            spdlog::warn("redis cluster: cannot use the slot map from {}: {}", asked_.text(), e.what());
        }
    }

private:
    std::shared_ptr<RedisClusterRouter> router_;
    NodeAddress asked_;
};

RedisClusterRouter::RedisClusterRouter(boost::asio::io_context& io, const RedisSettings& settings)
    : io_(io), settings_(settings), periodic_(io) {}

void RedisClusterRouter::start() {
    for (const NodeAddress& seed : settings_.cluster_nodes) {
        node_at(seed);
    }
    boost::asio::post(io_, [self = shared_from_this()] { self->schedule_periodic(); });
}

void RedisClusterRouter::stop() {
    stopping_ = true;
    boost::asio::post(io_, [self = shared_from_this()] { self->periodic_.cancel(); });
    std::shared_lock lock(mutex_);
    for (const auto& node : nodes_) {
        for (const auto& link : node->links) {
            link->stop();
        }
    }
}

bool RedisClusterRouter::connected() const {
    std::shared_lock lock(mutex_);
    return std::any_of(nodes_.begin(), nodes_.end(), [](const auto& node) {
        return std::any_of(node->links.begin(), node->links.end(), [](const auto& l) { return l->connected(); });
    });
}

std::shared_ptr<RedisClusterRouter::Node> RedisClusterRouter::node_at(const NodeAddress& address) {
    {
        std::shared_lock lock(mutex_);
        for (const auto& node : nodes_) {
            if (node->address == address) {
                return node;
            }
        }
    }
    std::unique_lock lock(mutex_);
    for (const auto& node : nodes_) {
        if (node->address == address) {
            return node;
        }
    }
    auto node = std::make_shared<Node>();
    node->address = address;
    node->added = std::chrono::steady_clock::now();
    const int links = std::max(1, settings_.connections);
    for (int i = 0; i < links; ++i) {
        auto link =
            std::make_shared<RedisConnection>(io_, settings_, address, static_cast<int>(nodes_.size() * links) + i);
        link->on_lost([weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->request_refresh();
            }
        });
        link->start();
        node->links.push_back(std::move(link));
    }
    nodes_.push_back(node);
    spdlog::info("redis cluster: node {} added", address.text());
    return node;
}

std::shared_ptr<RedisClusterRouter::Node> RedisClusterRouter::node_for_slot(std::optional<int> slot) const {
    std::shared_lock lock(mutex_);
    if (slot) {
        if (const int index = slots_[static_cast<std::size_t>(*slot)]; index > 0) {
            return nodes_[static_cast<std::size_t>(index - 1)];
        }
    }
    if (nodes_.empty()) {
        return nullptr;
    }
    // Unknown slot or keyless command: any node with a live link, starting from the next in turn.
    const std::size_t first = next_node_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
        const auto& node = nodes_[(first + k) % nodes_.size()];
        if (std::any_of(node->links.begin(), node->links.end(), [](const auto& l) { return l->connected(); })) {
            return node;
        }
    }
    return nodes_[first % nodes_.size()];
}

void RedisClusterRouter::send(
    const std::shared_ptr<Node>& node, std::vector<std::string> args, std::unique_ptr<ReplySink> sink, bool asking
) {
    const std::size_t n = node->links.size();
    const std::size_t first = node->next.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < n; ++k) {
        const auto& link = node->links[(first + k) % n];
        if (link->connected()) {
            if (asking) {
                link->submit_asking(std::move(args), std::move(sink));
            } else {
                link->submit(std::move(args), std::move(sink));
            }
            return;
        }
    }
    if (std::chrono::steady_clock::now() - node->added < settings_.command_timeout && !stopping_) {
        // A node just learned of (a redirection, a new map) is still connecting: wait for it
        // rather than fail a command the cluster can answer.
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(5));
        timer->async_wait(
            [timer, self = shared_from_this(), node, args = std::move(args), sink = std::move(sink), asking](auto
            ) mutable { self->send(node, std::move(args), std::move(sink), asking); }
        );
        return;
    }
    request_refresh();  // its master may have failed over
    sink->complete(unavailable("no connection to cluster node " + node->address.text()), {});
}

void RedisClusterRouter::route(std::vector<std::string> args, std::unique_ptr<ReplySink> sink, int attempt) {
    const auto key = routing_key(args);
    const auto node = node_for_slot(key ? std::optional<int>(key_slot(*key)) : std::nullopt);
    if (!node) {
        sink->complete(unavailable("no cluster node is known"), {});
        return;
    }
    auto redirecting = std::make_unique<RedirectingSink>(shared_from_this(), args, std::move(sink), attempt);
    send(node, std::move(args), std::move(redirecting), false);
}

void RedisClusterRouter::submit(std::vector<std::string> args, std::unique_ptr<ReplySink> sink) {
    route(std::move(args), std::move(sink), 0);
}

void RedisClusterRouter::learn(int slot, const NodeAddress& master) {
    const auto node = node_at(master);
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i] == node) {
            slots_[static_cast<std::size_t>(slot)] = static_cast<std::int16_t>(i + 1);
            return;
        }
    }
}

void RedisClusterRouter::request_refresh() {
    if (stopping_ || refreshing_.exchange(true)) {
        return;
    }
    boost::asio::post(io_, [self = shared_from_this()] { self->refresh(); });
}

void RedisClusterRouter::refresh() {
    if (stopping_) {
        refreshing_ = false;
        return;
    }
    // Ask a node with a live link; nodes in turn, so one that is stuck does not hold the map back.
    const auto node = node_for_slot(std::nullopt);
    if (!node) {
        refreshing_ = false;
        return;
    }
    for (const auto& link : node->links) {
        if (link->connected()) {
            link->submit({"CLUSTER", "SLOTS"}, std::make_unique<SlotsSink>(shared_from_this(), node->address));
            return;
        }
    }
    refreshing_ = false;
}

void RedisClusterRouter::apply(const std::vector<SlotRange>& ranges) {
    std::vector<std::pair<const SlotRange*, std::shared_ptr<Node>>> owners;
    owners.reserve(ranges.size());
    for (const SlotRange& range : ranges) {
        owners.emplace_back(&range, node_at(range.master));
    }
    std::array<std::int16_t, kClusterSlots> slots{};
    {
        std::shared_lock lock(mutex_);
        for (const auto& [range, node] : owners) {
            const auto it = std::find(nodes_.begin(), nodes_.end(), node);
            const auto index = static_cast<std::int16_t>(it - nodes_.begin() + 1);
            std::fill(slots.begin() + range->first, slots.begin() + range->last + 1, index);
        }
    }
    std::unique_lock lock(mutex_);
    slots_ = slots;
}

void RedisClusterRouter::schedule_periodic() {
    if (stopping_) {
        return;
    }
    bool degraded = false;
    {
        std::shared_lock lock(mutex_);
        for (const std::int16_t index : slots_) {
            if (index == 0) {
                degraded = true;  // a slot without a known master
                break;
            }
        }
        for (std::size_t i = 0; i < nodes_.size() && !degraded; ++i) {
            const bool owns = std::find(slots_.begin(), slots_.end(), static_cast<std::int16_t>(i + 1)) != slots_.end();
            const auto& links = nodes_[i]->links;
            degraded = owns && std::none_of(links.begin(), links.end(), [](const auto& l) { return l->connected(); });
        }
    }
    request_refresh();
    periodic_.expires_after(degraded ? kRefreshDegraded : kRefreshHealthy);
    periodic_.async_wait([self = shared_from_this()](auto ec) {
        if (!ec) {
            self->schedule_periodic();
        }
    });
}

}  // namespace gomall::adapters::redis
