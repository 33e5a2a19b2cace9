#include "http/static_path.hpp"

namespace gomall::http {

bool StaticPath::plain_name(std::string_view segment) {
    if (segment.empty() || segment.size() > kMaxSegmentLength || segment.front() == '.' || segment.back() == '.') {
        return false;
    }
    for (const char c : segment) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                             c == '_' || c == '-' || c == '~' || c == '+' || c == '@';
        if (!allowed) {
            return false;
        }
    }
    return true;
}

std::optional<StaticPath> StaticPath::parse(std::string_view decoded) {
    if (decoded.empty() || decoded.front() != '/' || decoded.size() > kMaxLength) {
        return std::nullopt;
    }
    std::vector<std::string> segments;
    if (decoded.size() == 1) {
        return StaticPath(std::move(segments));
    }
    std::size_t start = 1;
    for (;;) {
        const auto slash = decoded.find('/', start);
        const auto segment = decoded.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (!plain_name(segment) || segments.size() == kMaxDepth) {
            return std::nullopt;
        }
        segments.emplace_back(segment);
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return StaticPath(std::move(segments));
}

std::string_view StaticPath::file_name() const {
    return segments_.empty() ? std::string_view{} : std::string_view{segments_.back()};
}

std::string StaticPath::relative() const {
    std::string out;
    for (const auto& segment : segments_) {
        if (!out.empty()) {
            out += '/';
        }
        out += segment;
    }
    return out;
}

std::optional<StaticPath> StaticPath::with_suffix(std::string_view suffix) const {
    if (segments_.empty()) {
        return std::nullopt;
    }
    auto segments = segments_;
    segments.back() += suffix;
    if (!plain_name(segments.back())) {
        return std::nullopt;
    }
    return StaticPath(std::move(segments));
}

StaticPath StaticPath::below_first() const {
    if (segments_.empty()) {
        return *this;
    }
    return StaticPath(std::vector<std::string>(segments_.begin() + 1, segments_.end()));
}

}  // namespace gomall::http
