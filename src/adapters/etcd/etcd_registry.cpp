// Registration keeping and the list/watch entry points of the etcd registry.
#include "adapters/etcd/etcd_registry.hpp"

#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/etcd/etcd_codec.hpp"
#include "adapters/etcd/role_snapshot.hpp"
#include "adapters/etcd/role_watch.hpp"
#include "adapters/registry/instance_rules.hpp"
#include "core/unavailable.hpp"

namespace gomall::adapters::etcd {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// etcd raises shorter TTLs to its own minimum (about 2 s with the default election timeout).
constexpr auto kShortestTtl = 2s;
// While etcd is unreachable, a lease is retried this often: sooner than TTL/3, so that a short
// outage does not cost the lease.
constexpr auto kRetryWhileFailing = 300ms;

EtcdSettings checked(EtcdSettings settings) {
    if (settings.lease_ttl < kShortestTtl) {
        throw std::invalid_argument("etcd registry: the lease TTL must be at least 2 s");
    }
    if (settings.request_timeout <= 0ms || settings.request_timeout * 3 >= settings.lease_ttl) {
        throw std::invalid_argument("etcd registry: the request timeout must be positive and shorter than TTL/3");
    }
    if (settings.key_prefix.empty() || settings.key_prefix.back() != '/') {
        throw std::invalid_argument("etcd registry: the key prefix must end with '/'");
    }
    return settings;
}

std::string lease_text(std::int64_t lease) {
    return std::to_string(lease);
}

}  // namespace

EtcdServiceRegistry::EtcdServiceRegistry(EtcdSettings settings)
    : settings_(checked(std::move(settings))),
      client_(settings_.endpoints, settings_.request_timeout),
      keeper_([this] { keep_registrations(); }) {}

EtcdServiceRegistry::~EtcdServiceRegistry() {
    stop_threads();
    std::map<std::string, Registration> left;
    {
        std::lock_guard lock(mutex_);
        if (halted_) {
            return;
        }
        left.swap(registrations_);
    }
    for (const auto& [key, registration] : left) {
        if (registration.lease != 0) {
            revoke(registration.lease, key);
        }
    }
}

void EtcdServiceRegistry::stop_threads() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
    }
    keeper_cancellation_.cancel();
    wake_keeper_.notify_all();
    keeper_.join();
    std::map<ports::WatchId, std::unique_ptr<RoleWatch>> watches;
    {
        std::lock_guard lock(watches_mutex_);
        watches.swap(watches_);
    }
    watches.clear();  // each RoleWatch cuts its stream and joins its thread
}

void EtcdServiceRegistry::halt_without_revoking() {
    stop_threads();
    std::lock_guard lock(mutex_);
    halted_ = true;
}

void EtcdServiceRegistry::register_instance(const ports::ServiceInstance& instance) {
    registry::check_instance(instance);
    const std::string key = instance_key(settings_.key_prefix, instance);
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            throw std::logic_error("etcd registry: register_instance after shutdown");
        }
        auto [it, added] = registrations_.try_emplace(key);
        Registration& registration = it->second;
        if (!added && registration.instance == instance) {
            return;
        }
        registration.instance = instance;
        if (!added) {
            ++registration.generation;  // the keeper writes the new value under the same lease
        }
        poked_ = true;
    }
    wake_keeper_.notify_all();
}

void EtcdServiceRegistry::deregister(const std::string& role, const std::string& id) {
    const std::string key = role_key_prefix(settings_.key_prefix, role) + id;
    std::int64_t lease = 0;
    {
        std::lock_guard lock(mutex_);
        const auto it = registrations_.find(key);
        if (it == registrations_.end()) {
            return;
        }
        lease = it->second.lease;
        registrations_.erase(it);
    }
    // The key is bound to its own lease: revoking the lease deletes the key, and a keeper that is
    // renewing it at this moment finds the registration gone and revokes whatever it created.
    if (lease != 0) {
        revoke(lease, key);
    }
}

ports::InstanceSet EtcdServiceRegistry::list(const std::string& role) {
    registry::check_role(role);
    RoleSnapshot snapshot(role, settings_.key_prefix);
    RequestCancellation cancellation;
    try {
        snapshot.read(client_, cancellation);
    } catch (const EtcdRefusal& e) {
        throw DependencyUnavailable("etcd refused to list role " + role + ": " + e.what());
    }
    return snapshot.instances();
}

ports::WatchId EtcdServiceRegistry::watch(const std::string& role, ChangeCallback on_change) {
    registry::check_role(role);
    auto watch = std::make_unique<RoleWatch>(client_, RoleSnapshot(role, settings_.key_prefix), std::move(on_change));
    std::lock_guard lock(watches_mutex_);
    const ports::WatchId id = next_watch_++;
    watches_.emplace(id, std::move(watch));
    return id;
}

void EtcdServiceRegistry::unwatch(ports::WatchId id) {
    std::unique_ptr<RoleWatch> watch;
    {
        std::lock_guard lock(watches_mutex_);
        const auto it = watches_.find(id);
        if (it == watches_.end()) {
            return;
        }
        watch = std::move(it->second);
        watches_.erase(it);
    }
    watch.reset();  // outside the lock: joining may take until the stream is cut
}

void EtcdServiceRegistry::keep_registrations() {
    const auto renewal_interval = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.lease_ttl) / 3;
    auto next_renewal = Clock::now() + renewal_interval;
    bool failing = false;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        // Woken early only by a new or changed registration: after a failure the keeper waits
        // for its retry time even if something is still unpublished, instead of spinning.
        wake_keeper_.wait_until(lock, next_renewal, [&] { return stopping_ || poked_; });
        if (stopping_) {
            return;
        }
        poked_ = false;
        const bool renewal_due = Clock::now() >= next_renewal;
        std::vector<std::pair<std::string, Registration>> work;
        for (const auto& [key, registration] : registrations_) {
            if (renewal_due || registration.published_generation != registration.generation) {
                work.emplace_back(key, registration);
            }
        }
        lock.unlock();

        bool all_done = true;
        for (auto& [key, registration] : work) {
            all_done = bring_up_to_date(key, registration, renewal_due) && all_done;
        }
        std::vector<std::pair<std::int64_t, std::string>> orphans;
        lock.lock();
        for (auto& [key, done] : work) {
            const auto it = registrations_.find(key);
            if (it == registrations_.end()) {
                // Deregistered meanwhile: a lease created for it since must not keep the key alive.
                if (done.lease != 0) {
                    orphans.emplace_back(done.lease, key);
                }
                continue;
            }
            it->second.lease = done.lease;
            if (it->second.generation == done.generation) {
                it->second.published_generation = done.published_generation;
            }
        }
        if (!orphans.empty()) {
            lock.unlock();
            for (const auto& [lease, key] : orphans) {
                revoke(lease, key);
            }
            lock.lock();
        }

        if (!all_done && !failing) {
            spdlog::warn(
                "service registry: etcd cannot keep {} registration(s) now; retrying every {} ms",
                registrations_.size(),
                kRetryWhileFailing.count()
            );
        } else if (all_done && failing) {
            spdlog::info("service registry: registrations are current again");
        }
        failing = !all_done;
        if (renewal_due || failing) {
            next_renewal = Clock::now() + (failing ? std::chrono::milliseconds(kRetryWhileFailing) : renewal_interval);
        }
    }
}

bool EtcdServiceRegistry::bring_up_to_date(const std::string& key, Registration& registration, bool renewal_due) {
    try {
        if (registration.lease != 0 && renewal_due) {
            const auto answer =
                client_.call("/v3/lease/keepalive", {{"ID", lease_text(registration.lease)}}, keeper_cancellation_);
            const auto* result = answer.if_contains("result");
            if (result == nullptr || !result->is_object()) {
                throw DependencyUnavailable("etcd answered a lease renewal without a result");
            }
            // A lease etcd no longer knows comes back with TTL 0 (omitted): it expired while etcd
            // was unreachable, or someone revoked it. The key went with it: register again.
            if (int64_field(result->get_object(), "TTL") <= 0) {
                spdlog::warn("service registry: the lease of {} is gone; registering it again", key);
                registration.lease = 0;
            }
        }
        if (registration.lease == 0) {
            const auto answer = client_.call(
                "/v3/lease/grant",
                {{"TTL", static_cast<std::int64_t>(settings_.lease_ttl.count())}},
                keeper_cancellation_
            );
            registration.lease = int64_field(answer, "ID");
            if (registration.lease == 0) {
                throw DependencyUnavailable("etcd granted a lease without an id");
            }
            registration.published_generation = 0;
        }
        if (registration.published_generation != registration.generation) {
            client_.call(
                "/v3/kv/put",
                {{"key", base64_encode(key)},
                 {"value", base64_encode(instance_value(registration.instance))},
                 {"lease", lease_text(registration.lease)}},
                keeper_cancellation_
            );
            registration.published_generation = registration.generation;
            spdlog::info(
                "service registry: {} at {} registered (lease ttl {} s)",
                key,
                registration.instance.address,
                settings_.lease_ttl.count()
            );
        }
        return true;
    } catch (const RequestCancelled&) {
        return false;
    } catch (const EtcdRefusal& e) {
        if (e.code() == EtcdRefusal::kNotFound) {
            registration.lease = 0;  // the lease vanished between renewal and put: start over
        }
        spdlog::warn("service registry: etcd refused to keep {}: {}", key, e.what());
        return false;
    } catch (const std::exception& e) {
        // Unreachable, or an answer of the wrong shape: keep the lease id, it may still be valid.
        spdlog::debug("service registry: keeping {} failed: {}", key, e.what());
        return false;
    }
}

void EtcdServiceRegistry::revoke(std::int64_t lease, const std::string& what) {
    RequestCancellation cancellation;  // never cancelled: bounded by the request timeout
    try {
        client_.call("/v3/lease/revoke", {{"ID", lease_text(lease)}}, cancellation);
        spdlog::info("service registry: {} deregistered", what);
    } catch (const EtcdRefusal& e) {
        if (e.code() != EtcdRefusal::kNotFound) {
            spdlog::warn("service registry: etcd refused to revoke the lease of {}: {}", what, e.what());
        }
    } catch (const std::exception& e) {
        spdlog::warn(
            "service registry: could not revoke the lease of {} ({}); it expires with its TTL", what, e.what()
        );
    }
}

}  // namespace gomall::adapters::etcd
