#include "http/router.hpp"

#include <stdexcept>

namespace gomall::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        if (end > start) {
            parts.push_back(path.substr(start, end - start));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return parts;
}

// Number of literal segments: more literal means more specific.
int specificity(const Route& route) {
    int n = 0;
    for (const auto& s : route.segments) {
        n += s.empty() || s[0] != ':' ? 1 : 0;
    }
    return n;
}

bool matches(const Route& route, const std::vector<std::string_view>& parts, Fields& params) {
    if (route.segments.size() != parts.size()) {
        return false;
    }
    Fields captured;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& seg = route.segments[i];
        if (!seg.empty() && seg[0] == ':') {
            captured.emplace_back(seg.substr(1), std::string(parts[i]));
        } else if (seg != parts[i]) {
            return false;
        }
    }
    params = std::move(captured);
    return true;
}

}  // namespace

void Router::add(Method method, std::string pattern, Handler handler, RouteOptions options) {
    if (pattern.empty() || pattern[0] != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    Route route;
    route.method = method;
    route.handler = std::move(handler);
    route.options = std::move(options);
    if (route.options.admin) {
        route.options.auth = true;
    }
    for (auto part : split_path(pattern)) {
        route.segments.emplace_back(part);
    }
    route.pattern = std::move(pattern);
    // Two patterns that differ only in parameter names would shadow each other.
    auto shape = [](const std::vector<std::string>& segments) {
        std::vector<std::string> out;
        out.reserve(segments.size());
        for (const auto& s : segments) {
            out.push_back(!s.empty() && s[0] == ':' ? ":" : s);
        }
        return out;
    };
    for (const auto& existing : routes_) {
        if (existing.method == route.method && shape(existing.segments) == shape(route.segments)) {
            throw std::invalid_argument("duplicate route: " + route.pattern);
        }
    }
    routes_.push_back(std::move(route));
}

RouteMatch Router::match(Method method, std::string_view path) const {
    const auto parts = split_path(path);
    const Method wanted = method == Method::kHead ? Method::kGet : method;
    RouteMatch result;
    const Route* best = nullptr;
    Fields best_params;
    std::string allow;
    for (const auto& route : routes_) {
        Fields params;
        if (!matches(route, parts, params)) {
            continue;
        }
        if (route.method == wanted) {
            if (best == nullptr || specificity(route) > specificity(*best)) {
                best = &route;
                best_params = std::move(params);
            }
        } else {
            const auto name = method_name(route.method);
            if (allow.find(name) == std::string::npos) {
                allow += allow.empty() ? "" : ", ";
                allow += name;
            }
        }
    }
    if (best != nullptr) {
        result.kind = RouteMatch::Kind::kFound;
        result.route = best;
        result.params = std::move(best_params);
    } else if (!allow.empty()) {
        result.kind = RouteMatch::Kind::kMethodNotAllowed;
        result.allow = std::move(allow);
    }
    return result;
}

}  // namespace gomall::http
