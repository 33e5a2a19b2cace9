// Address parsing with Asio's parser, prefix matching on the 16-byte form, and the right-to-left
// walk through X-Forwarded-For.
#include "http/client_address.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace gomall::http {
namespace {

namespace ip = boost::asio::ip;

constexpr std::size_t kMaxAddressText = 64;  // the longest IPv6 text with a zone is far shorter

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool prefix_matches(const IpBytes& address, const IpBytes& prefix, int bits) {
    const auto whole = static_cast<std::size_t>(bits / 8);
    if (!std::equal(prefix.begin(), prefix.begin() + static_cast<std::ptrdiff_t>(whole), address.begin())) {
        return false;
    }
    const int rest = bits % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xffU << static_cast<unsigned>(8 - rest));
    return (address[whole] & mask) == (prefix[whole] & mask);
}

bool is_v4_mapped(const IpBytes& a) {
    return std::all_of(a.begin(), a.begin() + 10, [](std::uint8_t b) { return b == 0; }) && a[10] == 0xff &&
           a[11] == 0xff;
}

}  // namespace

std::optional<IpBytes> parse_ip(std::string_view text) {
    text = trim(text);
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    if (text.empty() || text.size() > kMaxAddressText) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    const ip::address address = ip::make_address(std::string(text), ec);
    if (ec) {
        return std::nullopt;
    }
    if (address.is_v4()) {
        return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
    }
    return address.to_v6().to_bytes();
}

std::string format_ip(const IpBytes& address) {
    const ip::address_v6 v6(address);
    if (is_v4_mapped(address)) {
        return ip::make_address_v4(ip::v4_mapped, v6).to_string();
    }
    return v6.to_string();
}

TrustedProxies TrustedProxies::parse(const std::vector<std::string>& entries) {
    TrustedProxies out;
    for (const std::string& entry : entries) {
        const std::string_view text = trim(entry);
        const auto slash = text.find('/');
        const auto address = parse_ip(text.substr(0, slash));
        if (!address) {
            throw std::invalid_argument("'" + entry + "' is not an IP address or network");
        }
        const bool v4 = is_v4_mapped(*address) && text.substr(0, slash).find(':') == std::string_view::npos;
        Network network{*address, 128};
        if (slash != std::string_view::npos) {
            const std::string_view length = text.substr(slash + 1);
            int bits = -1;
            const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bits);
            if (length.empty() || ec != std::errc{} || end != length.data() + length.size() || bits < 1 ||
                bits > (v4 ? 32 : 128)) {
                // A /0 would trust every address, and so let any client choose the address it is seen as.
                throw std::invalid_argument("'" + entry + "' has no prefix length in range 1.." + (v4 ? "32" : "128"));
            }
            network.bits = v4 ? bits + 96 : bits;
        }
        out.networks_.push_back(network);
    }
    return out;
}

bool TrustedProxies::contains(const IpBytes& address) const {
    return std::any_of(networks_.begin(), networks_.end(), [&](const Network& n) {
        return prefix_matches(address, n.prefix, n.bits);
    });
}

std::string resolve_client_address(
    std::string_view peer, const std::vector<std::string_view>& forwarded_for, const TrustedProxies& trusted
) {
    const auto peer_address = parse_ip(peer);
    if (!peer_address) {
        return std::string(peer);
    }
    IpBytes vouched = *peer_address;  // the left-most hop known to be real so far
    if (trusted.empty() || !trusted.contains(vouched)) {
        return format_ip(vouched);
    }
    int hops = 0;
    for (auto field = forwarded_for.rbegin(); field != forwarded_for.rend(); ++field) {
        std::string_view rest = *field;
        while (!rest.empty()) {
            const auto comma = rest.rfind(',');
            const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
            if (trim(entry).empty()) {
                continue;  // "a,,b" or a trailing comma: an empty list element, not a hop
            }
            const auto hop = ++hops <= kMaxForwardedHops ? parse_ip(entry) : std::nullopt;
            if (!hop) {
                return format_ip(vouched);  // the chain breaks here; a trusted proxy vouched for `vouched`
            }
            if (!trusted.contains(*hop)) {
                return format_ip(*hop);
            }
            vouched = *hop;
        }
    }
    return format_ip(vouched);
}

std::string client_rate_key(std::string_view address) {
    auto bytes = parse_ip(address);
    if (!bytes) {
        return std::string(address);
    }
    if (is_v4_mapped(*bytes)) {
        return format_ip(*bytes);
    }
    std::fill(bytes->begin() + 8, bytes->end(), std::uint8_t{0});
    return format_ip(*bytes) + "/64";
}

}  // namespace gomall::http
