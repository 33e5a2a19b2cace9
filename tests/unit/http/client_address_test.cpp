// Tests of the client address: X-Forwarded-For only from trusted proxies, read right to left, and
// everything a hostile client can put in it.
#include "http/client_address.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::http {
namespace {

TrustedProxies proxies(const std::vector<std::string>& entries) {
    return TrustedProxies::parse(entries);
}

std::string resolve(std::string_view peer, std::vector<std::string_view> xff, const TrustedProxies& trusted) {
    return resolve_client_address(peer, xff, trusted);
}

TEST(ClientAddressTest, ParsesBareAndBracketedAddressesOnly) {
    EXPECT_TRUE(parse_ip("203.0.113.7"));
    EXPECT_TRUE(parse_ip(" 2001:db8::1 "));
    EXPECT_TRUE(parse_ip("[2001:db8::1]"));
    EXPECT_FALSE(parse_ip(""));
    EXPECT_FALSE(parse_ip("unknown"));
    EXPECT_FALSE(parse_ip("203.0.113.7:8080"));
    EXPECT_FALSE(parse_ip("example.com"));
    EXPECT_FALSE(parse_ip("203.0.113.999"));
    EXPECT_FALSE(parse_ip("[2001:db8::1"));
    EXPECT_FALSE(parse_ip(std::string(200, '1')));
}

TEST(ClientAddressTest, FormatsIpv4MappedAddressesAsIpv4) {
    EXPECT_EQ(format_ip(*parse_ip("::ffff:192.0.2.1")), "192.0.2.1");
    EXPECT_EQ(format_ip(*parse_ip("2001:DB8:0:0::1")), "2001:db8::1");
}

TEST(ClientAddressTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
    EXPECT_EQ(resolve("198.51.100.4", {"203.0.113.7"}, {}), "198.51.100.4");
}

TEST(ClientAddressTest, AForgedHeaderFromAnUntrustedPeerIsIgnored) {
    const auto trusted = proxies({"10.0.0.0/8"});
    EXPECT_EQ(resolve("198.51.100.4", {"203.0.113.7"}, trusted), "198.51.100.4");
    EXPECT_EQ(resolve("198.51.100.4", {"10.1.1.1"}, trusted), "198.51.100.4");
}

TEST(ClientAddressTest, FromATrustedProxyTheRightMostUntrustedEntryIsTheClient) {
    const auto trusted = proxies({"10.0.0.0/8", "127.0.0.1"});
    // The client forged the first entry; the proxy appended the address it saw.
    EXPECT_EQ(resolve("127.0.0.1", {"1.2.3.4, 203.0.113.7"}, trusted), "203.0.113.7");
    // Two proxies in a row: the inner one's address is skipped.
    EXPECT_EQ(resolve("127.0.0.1", {"1.2.3.4, 203.0.113.7, 10.2.3.4"}, trusted), "203.0.113.7");
    // Several header fields are one list, in order.
    EXPECT_EQ(resolve("127.0.0.1", {"1.2.3.4", "203.0.113.7", "10.2.3.4"}, trusted), "203.0.113.7");
    // No header: the proxy itself.
    EXPECT_EQ(resolve("127.0.0.1", {}, trusted), "127.0.0.1");
}

TEST(ClientAddressTest, AMalformedEntryEndsTheChainAtTheLastVouchedAddress) {
    const auto trusted = proxies({"10.0.0.0/8", "127.0.0.1"});
    EXPECT_EQ(resolve("127.0.0.1", {"junk"}, trusted), "127.0.0.1");
    EXPECT_EQ(resolve("127.0.0.1", {"203.0.113.7, junk"}, trusted), "127.0.0.1");
    EXPECT_EQ(resolve("127.0.0.1", {"203.0.113.7, junk, 10.9.9.9"}, trusted), "10.9.9.9");
    EXPECT_EQ(resolve("127.0.0.1", {"203.0.113.7:443"}, trusted), "127.0.0.1");
    EXPECT_EQ(resolve("127.0.0.1", {"\"203.0.113.7\""}, trusted), "127.0.0.1");
    // Empty list elements are not hops.
    EXPECT_EQ(resolve("127.0.0.1", {" , 203.0.113.7 ,, "}, trusted), "203.0.113.7");
}

TEST(ClientAddressTest, OnlyTrustedEntriesLeaveTheLeftMostOne) {
    const auto trusted = proxies({"10.0.0.0/8", "127.0.0.1"});
    EXPECT_EQ(resolve("127.0.0.1", {"10.0.0.2, 10.0.0.1"}, trusted), "10.0.0.2");
}

TEST(ClientAddressTest, AVeryLongHeaderIsReadNoFurtherThanTheHopLimit) {
    const auto trusted = proxies({"10.0.0.0/8", "127.0.0.1"});
    std::string chain = "203.0.113.7";
    for (int i = 0; i < 5000; ++i) {
        chain += ", 10.0.0.1";
    }
    EXPECT_EQ(resolve("127.0.0.1", {chain}, trusted), "10.0.0.1");
    std::string spoofed;
    for (int i = 0; i < 5000; ++i) {
        spoofed += "198.51.100." + std::to_string(i % 250) + ", ";
    }
    spoofed += "203.0.113.9";
    EXPECT_EQ(resolve("127.0.0.1", {spoofed}, trusted), "203.0.113.9");
}

TEST(ClientAddressTest, Ipv6PeersProxiesAndClients) {
    const auto trusted = proxies({"::1", "fd00::/8"});
    EXPECT_EQ(resolve("::1", {"2001:db8::7, fd12::1"}, trusted), "2001:db8::7");
    EXPECT_EQ(resolve("::1", {"[2001:db8::7]"}, trusted), "2001:db8::7");
    EXPECT_EQ(resolve("2001:db8::99", {"2001:db8::7"}, trusted), "2001:db8::99");
    // An IPv4 client through an IPv6 proxy, and an IPv4 peer on a dual-stack socket.
    EXPECT_EQ(resolve("::1", {"203.0.113.7"}, trusted), "203.0.113.7");
    EXPECT_EQ(resolve("::ffff:198.51.100.4", {}, {}), "198.51.100.4");
}

TEST(ClientAddressTest, Ipv4ProxyEntriesMatchIpv4MappedPeers) {
    const auto trusted = proxies({"127.0.0.0/8"});
    EXPECT_EQ(resolve("::ffff:127.0.0.1", {"203.0.113.7"}, trusted), "203.0.113.7");
}

TEST(ClientAddressTest, NetworksMatchOnTheirPrefixOnly) {
    const auto trusted = proxies({"192.168.4.0/22", "2001:db8:aa::/48"});
    EXPECT_TRUE(trusted.contains(*parse_ip("192.168.7.255")));
    EXPECT_FALSE(trusted.contains(*parse_ip("192.168.8.0")));
    EXPECT_TRUE(trusted.contains(*parse_ip("2001:db8:aa:ffff::1")));
    EXPECT_FALSE(trusted.contains(*parse_ip("2001:db8:ab::1")));
    EXPECT_FALSE(trusted.contains(*parse_ip("::ffff:192.168.8.0")));
}

TEST(ClientAddressTest, RefusesEntriesThatAreNotAddressesOrNetworks) {
    for (const std::string bad :
         {"",
          "localhost",
          "10.0.0.0/33",
          "10.0.0.0/",
          "10.0.0.0/x",
          "10.0.0.0/-1",
          "::/129",
          "0.0.0.0/0",
          "::/0",
          "10.0.0.1/8/8",
          "10.0.0.1 10.0.0.2"}) {
        EXPECT_THROW(proxies({bad}), std::invalid_argument) << bad;
    }
    EXPECT_NO_THROW(proxies({"10.0.0.1", " 10.0.0.0/8 ", "::1", "fd00::/8", "::ffff:10.0.0.0/104"}));
}

TEST(ClientAddressTest, RateKeysGroupIpv6ByItsSlash64) {
    EXPECT_EQ(client_rate_key("203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(client_rate_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(client_rate_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
    EXPECT_NE(client_rate_key("2001:db8:1:3::1"), client_rate_key("2001:db8:1:2::1"));
    EXPECT_EQ(client_rate_key("unknown"), "unknown");
}

}  // namespace
}  // namespace gomall::http
