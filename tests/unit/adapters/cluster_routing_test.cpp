// Redis Cluster routing without a server: slots, routing keys, redirections, CLUSTER SLOTS.
#include "adapters/redis/cluster_routing.hpp"

#include <gtest/gtest.h>

namespace gomall::adapters::redis {
namespace {

RedisReply error_reply(std::string text) {
    RedisReply r;
    r.type = RedisReply::Type::kError;
    r.text = std::move(text);
    return r;
}
RedisReply integer(std::int64_t v) {
    RedisReply r;
    r.type = RedisReply::Type::kInteger;
    r.integer = v;
    return r;
}
RedisReply string(std::string v) {
    RedisReply r;
    r.type = RedisReply::Type::kString;
    r.text = std::move(v);
    return r;
}
RedisReply array(std::vector<RedisReply> elements) {
    RedisReply r;
    r.type = RedisReply::Type::kArray;
    r.elements = std::move(elements);
    return r;
}

TEST(ClusterRoutingTest, SlotsMatchRedisIncludingHashTags) {
    // Values from Redis itself (CLUSTER KEYSLOT).
    EXPECT_EQ(key_slot("123456789"), 12739);  // the CRC16 check value 0x31C3
    EXPECT_EQ(key_slot("foo"), 12182);
    EXPECT_EQ(key_slot("{user1000}.following"), key_slot("{user1000}.followers"));
    EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
    EXPECT_EQ(key_slot("foo{}{bar}"), key_slot("foo{}{bar}"));  // empty tag: the whole key is hashed
    EXPECT_NE(key_slot("foo{}{bar}"), key_slot("bar"));
    EXPECT_EQ(key_slot("foo{{bar}}zap"), key_slot("{bar"));
    EXPECT_EQ(key_slot(""), 0);
}

TEST(ClusterRoutingTest, EveryKeyOfAnActivityIsInOneSlot) {
    const std::string base = "gomall:sk:{a42}:";
    const int slot = key_slot(base + "meta");
    for (const char* name : {"stock", "held", "seq", "pending"}) {
        EXPECT_EQ(key_slot(base + name), slot) << name;
    }
}

TEST(ClusterRoutingTest, RoutingKeyIsTheFirstKeyOfAScriptOrTheFirstArgument) {
    EXPECT_EQ(routing_key({"EVALSHA", "abc", "2", "k1", "k2", "arg"}), "k1");
    EXPECT_EQ(routing_key({"eval", "return 1", "1", "k"}), "k");
    EXPECT_FALSE(routing_key({"EVALSHA", "abc", "0", "arg"}));
    EXPECT_FALSE(routing_key({"EVALSHA", "abc", "x", "k"}));
    EXPECT_FALSE(routing_key({"EVALSHA", "abc", "1"}));
    EXPECT_EQ(routing_key({"HDEL", "h", "f1", "f2"}), "h");
    EXPECT_EQ(routing_key({"get", "k"}), "k");
    EXPECT_FALSE(routing_key({"PUBLISH", "channel", "message"}));
    EXPECT_FALSE(routing_key({"CLUSTER", "SLOTS"}));
    EXPECT_FALSE(routing_key({"PING"}));
    EXPECT_FALSE(routing_key({}));
}

TEST(ClusterRoutingTest, RedirectionsAreParsedAndAnythingElseIsNot) {
    const auto moved = parse_redirection(error_reply("MOVED 3999 127.0.0.1:6381"));
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->kind, Redirection::Kind::kMoved);
    EXPECT_EQ(moved->slot, 3999);
    EXPECT_EQ(moved->target, (NodeAddress{"127.0.0.1", 6381}));
    const auto ask = parse_redirection(error_reply("ASK 0 redis-2.internal:7000"));
    ASSERT_TRUE(ask);
    EXPECT_EQ(ask->kind, Redirection::Kind::kAsk);
    EXPECT_EQ(ask->target.host, "redis-2.internal");
    for (const char* bad :
         {"MOVED",
          "MOVED 3999",
          "MOVED 16384 h:1",
          "MOVED -1 h:1",
          "MOVED 1 h:0",
          "MOVED 1 h:65536",
          "MOVED 1 :6379",
          "MOVED 1 h",
          "MOVED x h:1",
          "ASK 1 h:1 extra",
          "ERR MOVED 1 h:1",
          "NOSCRIPT x",
          "MOVED 1 a:b:1"}) {
        EXPECT_FALSE(parse_redirection(error_reply(bad))) << bad;
    }
    EXPECT_FALSE(parse_redirection(string("MOVED 1 h:1")));  // a value, not an error reply
}

TEST(ClusterRoutingTest, ClusterSlotsGivesEachRangeItsMaster) {
    const auto reply = array({
        array(
            {integer(0),
             integer(5460),
             array({string("127.0.0.1"), integer(7000), string("id1")}),
             array({string("127.0.0.1"), integer(7003), string("id4")})}
        ),
        array({integer(5461), integer(16383), array({string(""), integer(7001), string("id2")})}),
    });
    const auto ranges = parse_cluster_slots(reply, {"10.0.0.9", 7001});
    ASSERT_EQ(ranges.size(), 2U);
    EXPECT_EQ(ranges[0].first, 0);
    EXPECT_EQ(ranges[0].last, 5460);
    EXPECT_EQ(ranges[0].master, (NodeAddress{"127.0.0.1", 7000}));
    EXPECT_EQ(ranges[1].master, (NodeAddress{"10.0.0.9", 7001}));  // empty host: the node asked
}

TEST(ClusterRoutingTest, ClusterSlotsOfAnotherShapeIsRefused) {
    const NodeAddress asked{"h", 1};
    EXPECT_THROW(
        parse_cluster_slots(error_reply("ERR This instance has cluster support disabled"), asked), std::runtime_error
    );
    EXPECT_THROW(
        parse_cluster_slots(array({array({integer(0), integer(16384), array({string("h"), integer(1)})})}), asked),
        std::runtime_error
    );
    EXPECT_THROW(
        parse_cluster_slots(array({array({integer(9), integer(3), array({string("h"), integer(1)})})}), asked),
        std::runtime_error
    );
    EXPECT_THROW(
        parse_cluster_slots(array({array({integer(0), integer(1), array({string("h"), integer(0)})})}), asked),
        std::runtime_error
    );
    EXPECT_THROW(parse_cluster_slots(array({array({integer(0), integer(1)})}), asked), std::runtime_error);
    EXPECT_TRUE(parse_cluster_slots(array({}), asked).empty());
}

TEST(ClusterRoutingTest, NodeAddressesAreHostColonPort) {
    EXPECT_EQ(parse_node_address("127.0.0.1:7000"), (NodeAddress{"127.0.0.1", 7000}));
    for (const char* bad : {"", "h", ":1", "h:", "h:0", "h:65536", "h:1x", "a:b:1", "h h:1", "u@h:1", "[::1]:1"}) {
        EXPECT_FALSE(parse_node_address(bad)) << bad;
    }
}

}  // namespace
}  // namespace gomall::adapters::redis
