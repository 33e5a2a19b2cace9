// How the etcd registry reaches etcd and how long its leases live.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace gomall::adapters::etcd {

struct EtcdSettings {
    /// Client URLs ("http://host:port"), tried in turn; the one that answered last is tried first.
    std::vector<std::string> endpoints;
    /// A registered instance outlives its process by at most this long.
    std::chrono::seconds lease_ttl{5};
    /// Every request, connecting included; a watch stream only for connecting.
    std::chrono::milliseconds request_timeout{1000};
    /// Instances live under <key_prefix><role>/<id>.
    std::string key_prefix = "/gomall/services/";
};

}  // namespace gomall::adapters::etcd
