// The etcd registry against a real etcd (skipped without GOMALL_TEST_ETCD_ENDPOINTS, which
// `scripts/stack start etcd` writes): registration, watches, deregistration, lease expiry of a
// process that died, a lost lease, failover, unreachable and nonsense endpoints. The drill that
// pauses etcd also needs GOMALL_TEST_ETCD_DRILLS=1 and the stack's GOMALL_STACK_DIR.
#include "adapters/etcd/etcd_registry.hpp"

#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <netinet/in.h>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/etcd/etcd_client.hpp"
#include "adapters/etcd/etcd_codec.hpp"
#include "core/unavailable.hpp"
#include "unit/adapters/registry_test_support.hpp"

namespace gomall::adapters::etcd {
namespace {

using namespace std::chrono_literals;
using registry_test::eventually;
using registry_test::HeardSets;
using registry_test::ids_of;
using registry_test::instance;
using Ids = std::vector<std::string>;

std::vector<std::string> endpoints_from_env() {
    std::vector<std::string> endpoints;
    const char* text = std::getenv("GOMALL_TEST_ETCD_ENDPOINTS");
    if (text == nullptr) {
        return endpoints;
    }
    std::string all(text);
    std::size_t start = 0;
    while (start < all.size()) {
        const auto comma = std::min(all.find(',', start), all.size());
        if (comma > start) {
            endpoints.push_back(all.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return endpoints;
}

/// A TCP socket bound to a free loopback port (listening when asked); sets `port`.
int loopback_socket(bool listening, int& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    auto* generic = reinterpret_cast<sockaddr*>(&address);  // NOLINT(*reinterpret-cast*): the sockets API
    if (fd < 0 || ::bind(fd, generic, sizeof(address)) != 0 || (listening && ::listen(fd, 8) != 0) ||
        ::getsockname(fd, generic, &length) != 0) {
        throw std::runtime_error("cannot set up a loopback socket");
    }
    port = ntohs(address.sin_port);
    return fd;
}

/// A port on which nothing listens (bound, then closed).
std::string unused_endpoint() {
    int port = 0;
    ::close(loopback_socket(false, port));
    return "http://127.0.0.1:" + std::to_string(port);
}

/// An HTTP server that answers every request with 200 and a body that is not JSON.
class NonsenseServer {
public:
    NonsenseServer() : fd_(loopback_socket(true, port_)), thread_([this] { serve(); }) {}
    ~NonsenseServer() {
        stopping_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    NonsenseServer(const NonsenseServer&) = delete;
    NonsenseServer& operator=(const NonsenseServer&) = delete;

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    void serve() const {
        while (!stopping_) {
            const int client = ::accept(fd_, nullptr, nullptr);
            if (client < 0) {
                return;
            }
            std::array<char, 4096> request{};
            static_cast<void>(::recv(client, request.data(), request.size(), 0));
            const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n<html>oops";
            static_cast<void>(::send(client, answer.data(), answer.size(), MSG_NOSIGNAL));
            ::close(client);
        }
    }

    int port_ = 0;  // before fd_: set while fd_ is initialised
    int fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

class EtcdRegistry : public ::testing::Test {
protected:
    void SetUp() override {
        endpoints_ = endpoints_from_env();
        if (endpoints_.empty()) {
            GTEST_SKIP() << "set GOMALL_TEST_ETCD_ENDPOINTS (scripts/stack start etcd)";
        }
        std::random_device random;
        prefix_ = "/gomall-test/" + std::to_string(random()) + "/";
    }

    EtcdSettings settings() const {
        EtcdSettings s;
        s.endpoints = endpoints_;
        s.lease_ttl = 2s;  // etcd's minimum: keeps the expiry tests short
        s.request_timeout = 500ms;
        s.key_prefix = prefix_;
        return s;
    }

    EtcdClient raw_client() const { return EtcdClient(endpoints_, 1000ms); }

    /// The lease the key of `role`/`id` is bound to, 0 when the key is absent.
    std::int64_t lease_of(const std::string& role, const std::string& id) const {
        RequestCancellation never;
        const auto answer =
            raw_client().call("/v3/kv/range", {{"key", base64_encode(prefix_ + role + "/" + id)}}, never);
        const auto* kvs = answer.if_contains("kvs");
        if (kvs == nullptr || kvs->as_array().empty()) {
            return 0;
        }
        return int64_field(kvs->as_array().front().as_object(), "lease");
    }

    void put_raw(const std::string& key, const std::string& value) const {
        RequestCancellation never;
        raw_client().call(
            "/v3/kv/put", {{"key", base64_encode(prefix_ + key)}, {"value", base64_encode(value)}}, never
        );
    }

    static bool listed(EtcdServiceRegistry& registry, const std::string& role, const Ids& ids) {
        try {
            return ids_of(registry.list(role)) == ids;
        } catch (const DependencyUnavailable&) {
            return false;
        }
    }

    std::vector<std::string> endpoints_;
    std::string prefix_;
};

TEST_F(EtcdRegistry, ARegisteredInstanceIsListedWithItsAddressWeightAndMetadata) {
    EtcdServiceRegistry registry(settings());
    auto a = instance("seckill", "node-a", "127.0.0.1:7001");
    a.weight = 5;
    a.metadata["version"] = "1.4";
    registry.register_instance(a);
    ASSERT_TRUE(eventually([&] { return listed(registry, "seckill", {"node-a"}); }));
    EXPECT_EQ(registry.list("seckill").front(), a);
    EXPECT_TRUE(registry.list("order").empty());
    EXPECT_NE(lease_of("seckill", "node-a"), 0);
}

TEST_F(EtcdRegistry, AWatchSeesInstancesArriveAndLeave) {
    EtcdServiceRegistry server(settings());
    EtcdServiceRegistry gateway(settings());
    HeardSets heard;
    const auto watch = gateway.watch("seckill", heard.callback());
    ASSERT_TRUE(eventually([&] { return heard.heard_any(); }));
    EXPECT_TRUE(heard.latest_ids().empty());

    server.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    server.register_instance(instance("seckill", "b", "127.0.0.1:7002"));
    server.register_instance(instance("order", "x", "127.0.0.1:7100"));
    ASSERT_TRUE(eventually([&] { return heard.latest_ids() == Ids{"a", "b"}; }));

    server.deregister("seckill", "a");
    ASSERT_TRUE(eventually([&] { return heard.latest_ids() == Ids{"b"}; }));
    for (const auto& set : heard.all()) {
        for (const auto& i : set) {
            EXPECT_EQ(i.role, "seckill");  // another role's instances never show up
        }
    }
    const auto started = std::chrono::steady_clock::now();
    gateway.unwatch(watch);  // cuts the quiet stream at once, no waiting for a poll or timeout
    EXPECT_LT(std::chrono::steady_clock::now() - started, 300ms);
    const std::size_t heard_before = heard.count();
    server.register_instance(instance("seckill", "c", "127.0.0.1:7003"));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(heard.count(), heard_before);
}

TEST_F(EtcdRegistry, DeregisterRemovesTheInstanceAtOnce) {
    EtcdServiceRegistry registry(settings());
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return listed(registry, "seckill", {"a"}); }));
    registry.deregister("seckill", "a");
    EXPECT_TRUE(registry.list("seckill").empty());  // no waiting for the TTL
}

TEST_F(EtcdRegistry, ShuttingDownRemovesTheInstancesAtOnce) {
    auto registry = std::make_unique<EtcdServiceRegistry>(settings());
    registry->register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    registry->register_instance(instance("order", "b", "127.0.0.1:7002"));
    ASSERT_TRUE(eventually([&] { return listed(*registry, "order", {"b"}); }));
    ASSERT_TRUE(eventually([&] { return listed(*registry, "seckill", {"a"}); }));
    const auto started = std::chrono::steady_clock::now();
    registry.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
    EtcdServiceRegistry reader(settings());
    EXPECT_TRUE(reader.list("seckill").empty());
    EXPECT_TRUE(reader.list("order").empty());
}

TEST_F(EtcdRegistry, AnInstanceWhoseProcessDiedDropsOutWhenItsLeaseExpires) {
    EtcdServiceRegistry dying(settings());
    EtcdServiceRegistry reader(settings());
    dying.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return listed(reader, "seckill", {"a"}); }));
    dying.halt_without_revoking();
    const auto died = std::chrono::steady_clock::now();
    EXPECT_TRUE(listed(reader, "seckill", {"a"}));  // nothing was revoked
    ASSERT_TRUE(eventually([&] { return listed(reader, "seckill", {}); }, 5000ms));
    // Gone with the lease: not before most of the TTL ran out (it was renewed at most TTL/3 ago).
    EXPECT_GE(std::chrono::steady_clock::now() - died, 1000ms);
}

TEST_F(EtcdRegistry, ALostLeaseIsGrantedAgainAndTheInstanceComesBack) {
    EtcdServiceRegistry registry(settings());
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return lease_of("seckill", "a") != 0; }));
    const std::int64_t first = lease_of("seckill", "a");
    RequestCancellation never;
    raw_client().call("/v3/lease/revoke", {{"ID", std::to_string(first)}}, never);  // as if it had expired
    EXPECT_EQ(lease_of("seckill", "a"), 0);
    ASSERT_TRUE(eventually([&] { return lease_of("seckill", "a") != 0; }));
    EXPECT_NE(lease_of("seckill", "a"), first);
    EXPECT_TRUE(listed(registry, "seckill", {"a"}));
}

TEST_F(EtcdRegistry, RegisteringAgainUpdatesTheAddressUnderTheSameLease) {
    EtcdServiceRegistry registry(settings());
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return listed(registry, "seckill", {"a"}); }));
    const std::int64_t lease = lease_of("seckill", "a");
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7009"));
    ASSERT_TRUE(eventually([&] { return registry.list("seckill").front().address == "127.0.0.1:7009"; }));
    EXPECT_EQ(lease_of("seckill", "a"), lease);
}

TEST_F(EtcdRegistry, MalformedEntriesUnderTheRoleAreSkipped) {
    EtcdServiceRegistry registry(settings());
    put_raw("seckill/junk", "{not json");
    put_raw("seckill/no-address", R"({"weight":1})");
    HeardSets heard;
    registry.watch("seckill", heard.callback());
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return listed(registry, "seckill", {"a"}); }));
    ASSERT_TRUE(eventually([&] { return heard.latest_ids() == Ids{"a"}; }));
    put_raw("seckill/a", "garbage");  // a damaged value replaces the instance: it is gone
    ASSERT_TRUE(eventually([&] { return heard.latest_ids().empty(); }));
}

TEST_F(EtcdRegistry, FailsOverToTheNextEndpoint) {
    auto s = settings();
    s.endpoints.insert(s.endpoints.begin(), unused_endpoint());
    EtcdServiceRegistry registry(s);
    registry.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return listed(registry, "seckill", {"a"}); }));
}

TEST(EtcdRegistryOffline, AnUnreachableEndpointGivesAClearErrorNotACrash) {
    const std::string nowhere = unused_endpoint();
    EtcdSettings s;
    s.endpoints = {nowhere};
    s.lease_ttl = 2s;
    s.request_timeout = 300ms;
    auto registry = std::make_unique<EtcdServiceRegistry>(s);
    registry->register_instance(instance("seckill", "a", "127.0.0.1:7001"));  // kept trying, never thrown
    HeardSets heard;
    registry->watch("seckill", heard.callback());
    try {
        static_cast<void>(registry->list("seckill"));
        FAIL() << "list() answered without etcd";
    } catch (const DependencyUnavailable& e) {
        EXPECT_NE(std::string(e.what()).find(nowhere), std::string::npos) << e.what();
    }
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(heard.heard_any());  // no empty set made up while etcd is away
    const auto started = std::chrono::steady_clock::now();
    registry.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
}

TEST(EtcdRegistryOffline, AnEndpointAnsweringNonsenseGivesAClearError) {
    NonsenseServer server;
    EtcdSettings s;
    s.endpoints = {server.endpoint()};
    s.lease_ttl = 2s;
    s.request_timeout = 300ms;
    EtcdServiceRegistry registry(s);
    try {
        static_cast<void>(registry.list("seckill"));
        FAIL() << "list() accepted a non-JSON answer";
    } catch (const DependencyUnavailable& e) {
        EXPECT_NE(std::string(e.what()).find("not a JSON object"), std::string::npos) << e.what();
    }
}

TEST(EtcdRegistryOffline, UnusableSettingsAreRefused) {
    EtcdSettings s;
    EXPECT_THROW(EtcdServiceRegistry{s}, std::invalid_argument);  // no endpoints
    s.endpoints = {"127.0.0.1:2379"};
    EXPECT_THROW(EtcdServiceRegistry{s}, std::invalid_argument);  // not a URL
    s.endpoints = {"http://user:secret@127.0.0.1:2379"};
    EXPECT_THROW(EtcdServiceRegistry{s}, std::invalid_argument);  // would end up in log lines
    s.endpoints = {"http://127.0.0.1:2379"};
    s.lease_ttl = 1s;
    EXPECT_THROW(EtcdServiceRegistry{s}, std::invalid_argument);
    s.lease_ttl = 3s;
    s.request_timeout = 1000ms;
    EXPECT_THROW(EtcdServiceRegistry{s}, std::invalid_argument);  // a renewal could outlast the lease
}

// ---------------------------------------------------------------- drill: etcd away for a while

bool drills_enabled() {
    const char* on = std::getenv("GOMALL_TEST_ETCD_DRILLS");
    return on != nullptr && std::string(on) == "1" && std::getenv("GOMALL_STACK_DIR") != nullptr;
}

int stack(const std::string& arguments) {
    // GOMALL_STACK_DIR passes through the environment to the script.
    return std::system((std::string(GOMALL_SOURCE_DIR) + "/scripts/stack " + arguments + " >/dev/null 2>&1").c_str()
    );  // NOLINT(concurrency-mt-unsafe)
}

TEST_F(EtcdRegistry, WhileEtcdIsAwayTheLastSetStaysAndAfterwardsRegistrationsAndTheWatchResume) {
    if (!drills_enabled()) {
        GTEST_SKIP() << "set GOMALL_TEST_ETCD_DRILLS=1 and the stack's GOMALL_STACK_DIR";
    }
    EtcdServiceRegistry server(settings());
    EtcdServiceRegistry gateway(settings());
    HeardSets heard;
    gateway.watch("seckill", heard.callback());
    server.register_instance(instance("seckill", "a", "127.0.0.1:7001"));
    ASSERT_TRUE(eventually([&] { return heard.latest_ids() == Ids{"a"}; }));
    const std::size_t heard_before = heard.count();

    ASSERT_EQ(stack("pause etcd"), 0);
    EXPECT_THROW(static_cast<void>(gateway.list("seckill")), DependencyUnavailable);
    server.register_instance(instance("seckill", "b", "127.0.0.1:7002"));  // registered while away
    std::this_thread::sleep_for(2500ms);                                   // longer than the TTL
    EXPECT_EQ(heard.count(), heard_before);  // no callback: the gateway keeps balancing over {a}
    ASSERT_EQ(stack("start etcd"), 0);

    ASSERT_TRUE(eventually([&] { return heard.latest_ids() == Ids{"a", "b"}; }, 5000ms));
    const auto sets = heard.all();
    for (std::size_t n = heard_before; n < sets.size(); ++n) {
        EXPECT_FALSE(sets[n].empty()) << n;  // the watch never reported a made-up empty set
    }
    // The registrations are being renewed again: both outlive another TTL.
    std::this_thread::sleep_for(2500ms);
    EXPECT_TRUE(listed(gateway, "seckill", {"a", "b"}));
}

}  // namespace
}  // namespace gomall::adapters::etcd
