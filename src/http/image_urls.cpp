// Public image URLs: the configured base in front of root-relative stored paths.
#include "http/image_urls.hpp"

#include <string>
#include <utility>

namespace gomall::http {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

ImageUrls::ImageUrls(std::string base) : base_(std::move(base)) {
    if (!base_.empty() && base_.back() == '/') {
        base_.pop_back();
    }
}

std::string ImageUrls::public_url(std::string_view stored) const {
    // "//host/x" is protocol-relative, already absolute: prefixing it would make a wrong URL.
    if (base_.empty() || !starts_with(stored, "/") || starts_with(stored, "//")) {
        return std::string(stored);
    }
    std::string out;
    out.reserve(base_.size() + stored.size());
    out.append(base_).append(stored);
    return out;
}

std::optional<std::string> ImageUrls::base_url_problem(std::string_view base) {
    if (base.empty()) {
        return std::nullopt;
    }
    if (base.size() > kMaxBaseLength) {
        return "must be at most " + std::to_string(kMaxBaseLength) + " characters";
    }
    std::string_view rest;
    if (starts_with(base, "https://")) {
        rest = base.substr(8);
    } else if (starts_with(base, "http://")) {
        rest = base.substr(7);
    } else {
        return "must start with http:// or https://";
    }
    for (const char ch : base) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f) {
            return "must not contain spaces or control characters";
        }
        if (c >= 0x80) {
            return "must be ASCII (an international host in its xn-- form, a path percent-encoded)";
        }
    }
    if (base.find_first_of("?#") != std::string_view::npos) {
        return "must not have a query or a fragment";
    }
    // Characters a URL cannot hold unescaped; quotes and angle brackets would also reach HTML.
    if (base.find_first_of("\\\"<>'`{}|^") != std::string_view::npos) {
        return "has characters a URL cannot have";
    }
    const std::string_view host = rest.substr(0, rest.find('/'));
    if (host.find('@') != std::string_view::npos) {
        return "must not carry credentials";  // it is sent to every shopper
    }
    if (host.empty() || host.front() == ':') {
        return "must name a host";
    }
    return std::nullopt;
}

}  // namespace gomall::http
