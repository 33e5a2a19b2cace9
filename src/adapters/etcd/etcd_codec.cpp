// Encoding and decoding between service instances and etcd's JSON gateway.
#include "adapters/etcd/etcd_codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <stdexcept>

#include <boost/json.hpp>

#include "adapters/registry/instance_rules.hpp"

namespace gomall::adapters::etcd {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U) |
                       (static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += kAlphabet[(n >> 6U) & 63U];
        out += kAlphabet[n & 63U];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16U;
        if (rest == 2) {
            n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
        }
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::array<int, 4> v{};
        int padding = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const char c = text[i + j];
            // '=' only at the end of the last group, at most two.
            if (c == '=' && last && j >= 2 && (j == 3 || text[i + 3] == '=')) {
                ++padding;
                v.at(j) = 0;
                continue;
            }
            v.at(j) = sextet(c);
            if (v.at(j) < 0 || padding > 0) {
                return std::nullopt;
            }
        }
        const auto n = (static_cast<unsigned>(v[0]) << 18U) | (static_cast<unsigned>(v[1]) << 12U) |
                       (static_cast<unsigned>(v[2]) << 6U) | static_cast<unsigned>(v[3]);
        out += static_cast<char>((n >> 16U) & 0xFFU);
        if (padding < 2)
            out += static_cast<char>((n >> 8U) & 0xFFU);
        if (padding < 1)
            out += static_cast<char>(n & 0xFFU);
    }
    return out;
}

std::string prefix_range_end(std::string_view prefix) {
    std::string end(prefix);
    // Drop trailing 0xff bytes (they cannot be incremented); an all-0xff prefix means "to the end
    // of the keyspace", which etcd spells "\0".
    while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFFU) {
        end.pop_back();
    }
    if (end.empty()) {
        return std::string(1, '\0');
    }
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1U);
    return end;
}

std::int64_t int64_field(const boost::json::object& object, std::string_view name) {
    const auto* field = object.if_contains(name);
    if (field == nullptr || field->is_null()) {
        return 0;
    }
    if (field->is_int64()) {
        return field->get_int64();
    }
    if (field->is_uint64() && field->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(field->get_uint64());
    }
    if (field->is_string()) {
        const auto& s = field->get_string();
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (!s.empty() && ec == std::errc{} && end == s.data() + s.size()) {
            return n;
        }
    }
    throw std::invalid_argument("field " + std::string(name) + " is not an int64");
}

std::string instance_key(std::string_view key_prefix, const ports::ServiceInstance& instance) {
    return role_key_prefix(key_prefix, instance.role) + instance.id;
}

std::string role_key_prefix(std::string_view key_prefix, std::string_view role) {
    std::string key(key_prefix);
    key += role;
    key += '/';
    return key;
}

std::string instance_value(const ports::ServiceInstance& instance) {
    boost::json::object metadata;
    for (const auto& [name, value] : instance.metadata) {
        metadata[name] = value;
    }
    return boost::json::serialize(boost::json::object{
        {"address", instance.address},
        {"weight", instance.weight},
        {"metadata", std::move(metadata)},
    });
}

std::optional<ports::ServiceInstance> decode_instance(
    std::string_view role, std::string_view role_prefix, std::string_view key, std::string_view value
) {
    if (key.substr(0, role_prefix.size()) != role_prefix) {
        return std::nullopt;
    }
    ports::ServiceInstance instance;
    instance.role = std::string(role);
    instance.id = std::string(key.substr(role_prefix.size()));
    boost::system::error_code ec;
    const boost::json::value parsed = boost::json::parse(value, ec);
    if (ec || !parsed.is_object()) {
        return std::nullopt;
    }
    const auto& object = parsed.get_object();
    const auto* address = object.if_contains("address");
    if (address == nullptr || !address->is_string()) {
        return std::nullopt;
    }
    instance.address = std::string(address->get_string());
    if (const auto* weight = object.if_contains("weight"); weight != nullptr) {
        if (!weight->is_int64()) {
            return std::nullopt;
        }
        instance.weight = static_cast<int>(std::clamp<std::int64_t>(weight->get_int64(), 0, 1000000));
    }
    if (const auto* metadata = object.if_contains("metadata"); metadata != nullptr && metadata->is_object()) {
        for (const auto& [name, text] : metadata->get_object()) {
            if (text.is_string()) {
                instance.metadata[std::string(name)] = std::string(text.get_string());
            }
        }
    }
    try {
        registry::check_instance(instance);  // a hand-written or damaged entry must not reach a balancer
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
    return instance;
}

}  // namespace gomall::adapters::etcd
