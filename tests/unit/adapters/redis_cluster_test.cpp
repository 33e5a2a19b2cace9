// The Redis client, blocking connection and stock gate against a real Redis Cluster, whose seed
// nodes come from GOMALL_TEST_REDIS_CLUSTER_NODES ("host:port,..."; scripts/stack start
// redis-cluster writes it). Without it the tests skip.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "adapters/redis/cluster_routing.hpp"
#include "adapters/redis/redis_blocking_connection.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_stock_gate.hpp"
#include "unit/adapters/redis_test_server.hpp"

namespace gomall::adapters::redis {
namespace {

using domain::ReserveOutcome;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::optional<RedisSettings> cluster_settings_from_env() {
    const char* nodes = std::getenv("GOMALL_TEST_REDIS_CLUSTER_NODES");
    if (nodes == nullptr || *nodes == '\0') {
        return std::nullopt;
    }
    RedisSettings s;
    const std::string text = nodes;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto comma = std::min(text.find(',', start), text.size());
        if (auto address = parse_node_address(text.substr(start, comma - start))) {
            s.cluster_nodes.push_back(*address);
        }
        start = comma + 1;
    }
    s.connections = 2;
    s.command_timeout = milliseconds(1000);
    return s;
}

class RedisClusterTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = cluster_settings_from_env();
        if (!s) {
            GTEST_SKIP() << "set GOMALL_TEST_REDIS_CLUSTER_NODES (scripts/stack start redis-cluster)";
        }
        settings_ = *s;
        prefix_ = "gomall-test-" + std::to_string(std::random_device{}());
        worker_ = std::thread([this] {
            auto guard = boost::asio::make_work_guard(io_);
            io_.run();
        });
    }
    void TearDown() override {
        io_.stop();
        if (worker_.joinable()) {
            worker_.join();
        }
    }

    static void wait_connected(const RedisClient& client) {
        for (int i = 0; i < 300 && !client.connected(); ++i) {
            std::this_thread::sleep_for(milliseconds(10));
        }
        ASSERT_TRUE(client.connected());
    }

    domain::SeckillActivity activity(std::int64_t id, std::int64_t stock) const {
        domain::SeckillActivity a;
        a.id = id;
        a.product_id = 7;
        a.total_stock = stock;
        a.per_user_limit = 1;
        a.price = 100;
        a.start_time = clock_.now_ - seconds(10);
        a.end_time = clock_.now_ + seconds(3600);
        return a;
    }

    RedisSettings settings_;
    std::string prefix_;
    boost::asio::io_context io_;
    std::thread worker_;
    struct {
        TimePoint now_ = TimePoint(seconds(1'800'000'000));
    } clock_;
};

TEST_F(RedisClusterTest, KeysOfEverySlotAreWrittenAndReadThroughTheirMasters) {
    RedisClient client(settings_);
    client.start();
    wait_connected(client);
    std::set<int> slots;
    for (int i = 0; i < 300; ++i) {
        const std::string key = prefix_ + ":k" + std::to_string(i);
        slots.insert(key_slot(key));
        ASSERT_EQ(run(io_, client.command({"SET", key, std::to_string(i)})).type, RedisReply::Type::kStatus) << key;
    }
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(run(io_, client.command({"GET", prefix_ + ":k" + std::to_string(i)})).text, std::to_string(i));
    }
    EXPECT_GT(slots.size(), 250U);  // spread over the cluster, so every master answered some
    RedisBlockingConnection blocking(settings_);
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(blocking.command({"GET", prefix_ + ":k" + std::to_string(i)}).text, std::to_string(i));
        blocking.command({"DEL", prefix_ + ":k" + std::to_string(i)});
    }
    client.stop();
}

TEST_F(RedisClusterTest, ASingleSeedIsEnoughAndRedirectionsAreFollowed) {
    RedisSettings one = settings_;
    one.cluster_nodes.resize(1);
    // Before the slot map is loaded, and for the blocking connection always, most keys go to the
    // seed first, which answers MOVED.
    RedisBlockingConnection blocking(one);
    for (int i = 0; i < 50; ++i) {
        const std::string key = prefix_ + ":{s" + std::to_string(i) + "}";
        EXPECT_EQ(blocking.command({"SET", key, "x"}).type, RedisReply::Type::kStatus) << key;
        EXPECT_EQ(blocking.command({"DEL", key}).integer, 1) << key;
    }
    RedisClient client(one);
    client.start();
    wait_connected(client);
    for (int i = 0; i < 50; ++i) {
        const std::string key = prefix_ + ":{a" + std::to_string(i) + "}";
        EXPECT_EQ(run(io_, client.command({"INCR", key})).integer, 1) << key;
        EXPECT_EQ(run(io_, client.command({"DEL", key})).integer, 1) << key;
    }
    client.stop();
}

TEST_F(RedisClusterTest, TheStockGateSellsExactlyTheStockOfActivitiesInDifferentSlots) {
    RedisClient client(settings_);
    client.start();
    wait_connected(client);
    RedisBlockingConnection blocking(settings_);
    RedisStockGate gate(client, blocking, prefix_);
    constexpr int kActivities = 12;
    constexpr int kStock = 20;
    std::set<int> slots;
    for (int id = 1; id <= kActivities; ++id) {
        gate.load(activity(id, kStock), kStock, {});
        slots.insert(key_slot(gate.keys_of(id).front()));
    }
    EXPECT_GT(slots.size(), 3U);
    for (int id = 1; id <= kActivities; ++id) {
        std::vector<std::pair<std::int64_t, int>> ordered;
        int sold = 0;
        for (std::int64_t user = 1; user <= kStock + 5; ++user) {
            const auto r = run(io_, gate.reserve(id, user, clock_.now_, "res-" + std::to_string(user)));
            if (r.outcome == ReserveOutcome::kReserved) {
                ++sold;
                ordered.emplace_back(user, r.seq);
            } else {
                EXPECT_EQ(r.outcome, ReserveOutcome::kSoldOut);
            }
        }
        EXPECT_EQ(sold, kStock) << "activity " << id;
        run(io_, gate.settle_ordered(id, ordered));
        const auto snap = gate.snapshot(id);
        ASSERT_TRUE(snap);
        EXPECT_EQ(snap->available, 0);
        EXPECT_TRUE(snap->in_flight.empty());
        gate.remove(id);
    }
    client.stop();
}

/// The replica of the master that holds `slot`, from CLUSTER NODES ("id addr@bus flags master ...").
std::optional<NodeAddress> replica_of_slot(RedisBlockingConnection& blocking, int slot) {
    const RedisReply nodes = blocking.command({"CLUSTER", "NODES"});
    std::string master_id;
    std::vector<std::pair<std::string, std::string>> replicas;  // (address, master id)
    std::size_t start = 0;
    while (start < nodes.text.size()) {
        const auto end = std::min(nodes.text.find('\n', start), nodes.text.size());
        std::vector<std::string> fields;
        std::size_t p = start;
        while (p < end) {
            const auto space = std::min(nodes.text.find(' ', p), end);
            fields.push_back(nodes.text.substr(p, space - p));
            p = space + 1;
        }
        start = end + 1;
        if (fields.size() < 8) {
            continue;
        }
        const std::string address = fields[1].substr(0, fields[1].find('@'));
        if (fields[2].find("slave") != std::string::npos) {
            replicas.emplace_back(address, fields[3]);
        }
        for (std::size_t i = 8; i < fields.size(); ++i) {
            const auto dash = fields[i].find('-');
            const int first = std::atoi(fields[i].substr(0, dash).c_str());
            const int last = dash == std::string::npos ? first : std::atoi(fields[i].substr(dash + 1).c_str());
            if (fields[i][0] != '[' && slot >= first && slot <= last) {
                master_id = fields[0];
            }
        }
    }
    for (const auto& [address, master] : replicas) {
        if (master == master_id) {
            return parse_node_address(address);
        }
    }
    return std::nullopt;
}

TEST_F(RedisClusterTest, AfterAFailoverCommandsFollowTheNewMasterWithoutLosingAWrite) {
    RedisClient client(settings_);
    client.start();
    wait_connected(client);
    RedisBlockingConnection blocking(settings_);
    const std::string key = prefix_ + ":{failover}";
    // Right after an earlier failover the nodes' views may still disagree: ask until one settles.
    std::optional<NodeAddress> replica;
    for (int i = 0; i < 100 && !replica; ++i) {
        replica = replica_of_slot(blocking, key_slot(key));
        if (!replica) {
            std::this_thread::sleep_for(milliseconds(50));
        }
    }
    ASSERT_TRUE(replica) << "no replica for the key's master";
    int acknowledged = 0;
    for (int i = 0; i < 20; ++i) {
        acknowledged += run(io_, client.command({"INCR", key})).is_error() ? 0 : 1;
    }
    // A manual failover: the replica takes over the slots once it has caught up; the old master
    // becomes its replica and answers MOVED from then on.
    RedisSettings direct = settings_;
    direct.cluster_nodes.clear();
    direct.host = replica->host;
    direct.port = replica->port;
    RedisBlockingConnection to_replica(direct);
    // A replica that has just been demoted (an earlier run) may still be syncing: wait for its link.
    for (int i = 0; i < 500; ++i) {
        if (to_replica.command({"INFO", "replication"}).text.find("master_link_status:up") != std::string::npos) {
            break;
        }
        std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_EQ(to_replica.command({"CLUSTER", "FAILOVER"}).text, "OK");
    int unavailable_answers = 0;
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + seconds(20);
    auto asked_again = started;
    bool promoted = false;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!promoted && std::chrono::steady_clock::now() - asked_again > seconds(6)) {
            // A manual failover gives up after 5 s when the master and replica did not agree in time.
            to_replica.command({"CLUSTER", "FAILOVER"});
            asked_again = std::chrono::steady_clock::now();
        }
        try {
            const auto reply = run(io_, client.command({"INCR", key}));
            if (!reply.is_error()) {
                ++acknowledged;
            }
        } catch (const RedisUnavailable&) {
            ++unavailable_answers;
        }
        promoted = to_replica.command({"ROLE"}).elements.front().text == "master";
        if (promoted && acknowledged > 60) {
            break;
        }
        std::this_thread::sleep_for(milliseconds(5));
    }
    ASSERT_TRUE(promoted) << "the replica did not take over within 20 s";
    // Every acknowledged write is there; a command that failed as unavailable (the master pauses
    // its clients while the replica catches up, and a pause beyond command_timeout drops the link)
    // may or may not have run, as with any lost reply.
    const auto stored = run(io_, client.command({"GET", key})).as_integer();
    EXPECT_GE(stored, acknowledged);
    EXPECT_LE(stored, acknowledged + unavailable_answers);
    std::cout << "[ failover ] " << acknowledged << " acknowledged, " << unavailable_answers << " unavailable\n";
    blocking.command({"DEL", key});
    client.stop();
}

}  // namespace
}  // namespace gomall::adapters::redis
