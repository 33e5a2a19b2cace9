// The etcd gateway's encodings without a server: base64 both ways, prefix ranges, int64 fields,
// and the stored value of an instance, including entries that are not ours or are damaged.
#include "adapters/etcd/etcd_codec.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace gomall::adapters::etcd {
namespace {

TEST(EtcdCodec, Base64RoundTripsEveryPaddingLength) {
    for (const std::string& bytes :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        const auto decoded = base64_decode(base64_encode(bytes));
        ASSERT_TRUE(decoded.has_value()) << bytes;
        EXPECT_EQ(*decoded, bytes);
    }
    EXPECT_EQ(base64_encode("/a/x"), "L2EveA==");
    EXPECT_EQ(base64_decode("L2EveQ=="), "/a/y");
}

TEST(EtcdCodec, MalformedBase64IsRejected) {
    EXPECT_FALSE(base64_decode("abc").has_value());
    EXPECT_FALSE(base64_decode("ab!d").has_value());
    EXPECT_FALSE(base64_decode("a===").has_value());
    EXPECT_FALSE(base64_decode("ab=d").has_value());
    EXPECT_FALSE(base64_decode("ab==abcd").has_value());
}

TEST(EtcdCodec, ThePrefixRangeEndsJustPastThePrefix) {
    EXPECT_EQ(prefix_range_end("/gomall/services/seckill/"), "/gomall/services/seckill0");
    EXPECT_EQ(prefix_range_end(std::string("a\xff", 2)), "b");
    EXPECT_EQ(prefix_range_end(std::string("\xff", 1)), std::string(1, '\0'));
}

TEST(EtcdCodec, Int64FieldsComeAsStringsNumbersOrNotAtAll) {
    const auto object = boost::json::parse(R"({"a":"42","b":7,"c":"x"})").as_object();
    EXPECT_EQ(int64_field(object, "a"), 42);
    EXPECT_EQ(int64_field(object, "b"), 7);
    EXPECT_EQ(int64_field(object, "missing"), 0);
    EXPECT_THROW(int64_field(object, "c"), std::invalid_argument);
}

TEST(EtcdCodec, AnInstanceSurvivesItsStoredValue) {
    ports::ServiceInstance instance{"seckill", "node-1", "10.0.0.5:9100", 3, {{"version", "1.2"}}};
    const std::string prefix = role_key_prefix("/gomall/services/", "seckill");
    const std::string key = instance_key("/gomall/services/", instance);
    EXPECT_EQ(key, "/gomall/services/seckill/node-1");
    const auto decoded = decode_instance("seckill", prefix, key, instance_value(instance));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, instance);
}

TEST(EtcdCodec, DamagedOrForeignEntriesAreNotInstances) {
    const std::string prefix = "/gomall/services/seckill/";
    EXPECT_FALSE(decode_instance("seckill", prefix, prefix + "a", "not json").has_value());
    EXPECT_FALSE(decode_instance("seckill", prefix, prefix + "a", "[1,2]").has_value());
    EXPECT_FALSE(decode_instance("seckill", prefix, prefix + "a", R"({"weight":1})").has_value());
    EXPECT_FALSE(decode_instance("seckill", prefix, prefix + "a", R"({"address":"no-port"})").has_value());
    EXPECT_FALSE(decode_instance("seckill", prefix, prefix + "a", R"({"address":"h:1","weight":"x"})").has_value());
    EXPECT_FALSE(decode_instance("seckill", prefix, prefix + "a/b", R"({"address":"h:1"})").has_value());
    EXPECT_FALSE(decode_instance("seckill", prefix, "/elsewhere/a", R"({"address":"h:1"})").has_value());
    EXPECT_TRUE(decode_instance("seckill", prefix, prefix + "a", R"({"address":"h:1"})").has_value());
}

}  // namespace
}  // namespace gomall::adapters::etcd
