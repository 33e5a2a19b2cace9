// Pure functions of Redis Cluster routing; no I/O, so they are unit-tested on their own.
#include "adapters/redis/cluster_routing.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace gomall::adapters::redis {
namespace {

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), the checksum Redis Cluster hashes keys with.
constexpr std::array<std::uint16_t, 256> make_crc16_table() {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint16_t>(i << 8U);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 0x8000U) != 0 ? static_cast<std::uint16_t>((crc << 1U) ^ 0x1021U)
                                       : static_cast<std::uint16_t>(crc << 1U);
        }
        table[i] = crc;
    }
    return table;
}
constexpr auto kCrc16Table = make_crc16_table();

std::uint16_t crc16(std::string_view bytes) {
    std::uint16_t crc = 0;
    for (const char c : bytes) {
        const auto index = static_cast<std::uint8_t>((crc >> 8U) ^ static_cast<std::uint8_t>(c));
        crc = static_cast<std::uint16_t>((crc << 8U) ^ kCrc16Table[index]);
    }
    return crc;
}

bool equals_upper(std::string_view word, std::string_view upper) {
    return word.size() == upper.size() && std::equal(word.begin(), word.end(), upper.begin(), [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a)) == b;
           });
}

std::optional<int> parse_int(std::string_view text, int low, int high) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
        return std::nullopt;
    }
    return value;
}

// Commands whose first argument is not a key: any node answers them.
constexpr std::array<std::string_view, 12> kKeyless = {
    "PING", "PUBLISH", "SCRIPT", "CLUSTER", "INFO", "ECHO", "TIME", "AUTH", "SELECT", "CONFIG", "DBSIZE", "ASKING"};

}  // namespace

std::optional<NodeAddress> parse_node_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || text.find(':') != colon) {
        return std::nullopt;
    }
    const auto port = parse_int(text.substr(colon + 1), 1, 65535);
    if (!port) {
        return std::nullopt;
    }
    const std::string_view host = text.substr(0, colon);
    if (host.size() > 255 || std::any_of(host.begin(), host.end(), [](char c) {
            return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '@';
        })) {
        return std::nullopt;
    }
    return NodeAddress{std::string(host), *port};
}

int key_slot(std::string_view key) {
    const auto open = key.find('{');
    if (open != std::string_view::npos) {
        const auto close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1) {
            key = key.substr(open + 1, close - open - 1);
        }
    }
    return crc16(key) % kClusterSlots;
}

std::optional<std::string_view> routing_key(const std::vector<std::string>& args) {
    if (args.size() < 2) {
        return std::nullopt;
    }
    const std::string_view command = args.front();
    if (equals_upper(command, "EVAL") || equals_upper(command, "EVALSHA")) {
        const auto numkeys = args.size() > 2 ? parse_int(args[2], 0, 1 << 20) : std::nullopt;
        if (!numkeys || *numkeys == 0 || args.size() < 4) {
            return std::nullopt;
        }
        return std::string_view(args[3]);
    }
    for (const std::string_view keyless : kKeyless) {
        if (equals_upper(command, keyless)) {
            return std::nullopt;
        }
    }
    return std::string_view(args[1]);
}

std::optional<Redirection> parse_redirection(const RedisReply& reply) {
    if (!reply.is_error()) {
        return std::nullopt;
    }
    const std::string_view text = reply.text;
    Redirection redirection;
    std::string_view rest;
    if (text.rfind("MOVED ", 0) == 0) {
        rest = text.substr(6);
    } else if (text.rfind("ASK ", 0) == 0) {
        redirection.kind = Redirection::Kind::kAsk;
        rest = text.substr(4);
    } else {
        return std::nullopt;
    }
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    const auto slot = parse_int(rest.substr(0, space), 0, kClusterSlots - 1);
    auto target = parse_node_address(rest.substr(space + 1));
    if (!slot || !target) {
        return std::nullopt;
    }
    redirection.slot = *slot;
    redirection.target = std::move(*target);
    return redirection;
}

std::vector<SlotRange> parse_cluster_slots(const RedisReply& reply, const NodeAddress& answered_by) {
    if (reply.type != RedisReply::Type::kArray) {
        throw std::runtime_error("CLUSTER SLOTS: expected an array, got " + reply.describe());
    }
    std::vector<SlotRange> ranges;
    ranges.reserve(reply.elements.size());
    for (const RedisReply& entry : reply.elements) {
        if (entry.type != RedisReply::Type::kArray || entry.elements.size() < 3 ||
            entry.elements[0].type != RedisReply::Type::kInteger ||
            entry.elements[1].type != RedisReply::Type::kInteger ||
            entry.elements[2].type != RedisReply::Type::kArray || entry.elements[2].elements.size() < 2 ||
            entry.elements[2].elements[0].type != RedisReply::Type::kString ||
            entry.elements[2].elements[1].type != RedisReply::Type::kInteger) {
            throw std::runtime_error("CLUSTER SLOTS: an entry of an unexpected shape: " + entry.describe());
        }
        const std::int64_t first = entry.elements[0].integer;
        const std::int64_t last = entry.elements[1].integer;
        const std::int64_t port = entry.elements[2].elements[1].integer;
        if (first < 0 || last < first || last >= kClusterSlots || port < 1 || port > 65535) {
            throw std::runtime_error("CLUSTER SLOTS: a range or port out of bounds");
        }
        const std::string& host = entry.elements[2].elements[0].text;
        ranges.push_back(
            {static_cast<int>(first),
             static_cast<int>(last),
             {host.empty() ? answered_by.host : host, static_cast<int>(port)}}
        );
    }
    return ranges;
}

}  // namespace gomall::adapters::redis
