// Validation shared by the in-memory and the etcd registry.
#include "adapters/registry/instance_rules.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string_view>

namespace gomall::adapters::registry {
namespace {

constexpr std::size_t kMaxNameLength = 128;
constexpr std::size_t kMaxAddressLength = 270;
constexpr int kMaxWeight = 1000;

// Roles and ids become path segments of a key ("/gomall/services/<role>/<id>"): no '/', no
// spaces, nothing a log line or a key listing would mangle.
bool is_name(std::string_view s) {
    return !s.empty() && s.size() <= kMaxNameLength && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

bool is_host_port(std::string_view s) {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || s.size() > kMaxAddressLength ||
        s.find_first_of(" \t\r\n/@") != std::string_view::npos) {
        return false;
    }
    const std::string_view port_text = s.substr(colon + 1);
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    return !port_text.empty() && ec == std::errc{} && end == port_text.data() + port_text.size() && port >= 1 &&
           port <= 65535;
}

}  // namespace

void check_role(const std::string& role) {
    if (!is_name(role)) {
        throw std::invalid_argument("service role '" + role + "' must be 1-128 letters, digits, '-', '_' or '.'");
    }
}

void check_instance(const ports::ServiceInstance& instance) {
    check_role(instance.role);
    if (!is_name(instance.id)) {
        throw std::invalid_argument(
            "service instance id '" + instance.id + "' must be 1-128 letters, digits, '-', '_' or '.'"
        );
    }
    if (!is_host_port(instance.address)) {
        throw std::invalid_argument("service instance address '" + instance.address + "' is not host:port");
    }
    if (instance.weight < 1 || instance.weight > kMaxWeight) {
        throw std::invalid_argument("service instance weight must be 1.." + std::to_string(kMaxWeight));
    }
}

void sort_by_id(ports::InstanceSet& instances) {
    std::sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
}

}  // namespace gomall::adapters::registry
