// Which address a request comes from: the socket's peer, or, when that peer is a proxy the
// operator trusts, the address the proxies report in X-Forwarded-For. Rate limits, login
// throttling and the access log all key on the one address decided here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gomall::http {

/// An IPv4 or IPv6 address as 16 bytes (IPv4 as IPv4-mapped IPv6, so one comparison covers both).
using IpBytes = std::array<std::uint8_t, 16>;

/// A bare IPv4 or IPv6 address (IPv6 also in brackets), spaces around allowed; nullopt for anything
/// else (a port, a host name, "unknown", garbage).
std::optional<IpBytes> parse_ip(std::string_view text);

/// The address's usual text: dotted quad for IPv4 (also when it arrived IPv4-mapped), RFC 5952 for IPv6.
std::string format_ip(const IpBytes& address);

/// The addresses and networks of the proxies in front of the server (server.trusted_proxies).
class TrustedProxies {
public:
    TrustedProxies() = default;

    /// Entries "10.0.0.7", "10.0.0.0/8", "::1", "fd00::/8". Throws std::invalid_argument naming the
    /// first entry that is not an address or a network with a prefix length in range (never /0,
    /// which would trust every client to name its own address).
    static TrustedProxies parse(const std::vector<std::string>& entries);

    bool empty() const { return networks_.empty(); }
    bool contains(const IpBytes& address) const;

private:
    struct Network {
        IpBytes prefix{};
        int bits = 0;  // prefix length in the 128-bit form
    };
    std::vector<Network> networks_;
};

/// The client's address for a request that arrived from `peer` (the socket's remote address as text)
/// carrying `forwarded_for` (the values of every X-Forwarded-For field, in order). Unless the peer is
/// trusted, the header is ignored: anyone can send one. From a trusted peer the entries are read right
/// to left (each proxy appends the address it was reached from) and the first one that is not itself
/// a trusted proxy is the client. When the chain breaks first (an entry that is not an address, more
/// than kMaxForwardedHops hops, or only trusted entries) the left-most address that could still be
/// vouched for is taken. A peer that is not an address ("unknown") comes back as it is.
std::string resolve_client_address(
    std::string_view peer, const std::vector<std::string_view>& forwarded_for, const TrustedProxies& trusted
);

/// Hops of X-Forwarded-For examined at most (no real chain of proxies is longer).
inline constexpr int kMaxForwardedHops = 16;

/// The key a per-client limit counts under: the address itself for IPv4; for IPv6 its /64 network
/// ("2001:db8:1:2::/64"), since one subscriber usually holds a whole /64 and could otherwise rotate
/// through addresses to dodge the limit. Text that is not an address is its own key.
std::string client_rate_key(std::string_view address);

}  // namespace gomall::http
