// A request path that is safe to look up beneath a static root: a list of plain file names. The
// only way to get one is StaticPath::parse, so a StaticRoot can never be handed "..", an absolute
// path or an encoded separator.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gomall::http {

class StaticPath {
public:
    static constexpr std::size_t kMaxLength = 1024;
    static constexpr std::size_t kMaxSegmentLength = 255;
    static constexpr std::size_t kMaxDepth = 16;

    /// `decoded` is the percent-decoded URL path ("/assets/app.js"). "/" is the empty path (the
    /// root). Refused (nullopt): anything not starting with '/', an empty segment ("//", a trailing
    /// '/'), a segment starting or ending with '.' (".", "..", hidden files, Windows' trailing dots),
    /// and any byte outside [A-Za-z0-9._~+@-]: separators and backslash that arrived encoded, NUL,
    /// control characters, spaces and every non-ASCII byte (so no overlong UTF-8 form of '/' or '.'
    /// can mean anything). Limits: kMaxLength bytes, kMaxDepth segments of kMaxSegmentLength.
    static std::optional<StaticPath> parse(std::string_view decoded);

    const std::vector<std::string>& segments() const { return segments_; }
    bool is_root() const { return segments_.empty(); }
    /// The last segment, or "" for the root.
    std::string_view file_name() const;
    /// "assets/app.js": the segments joined, for content types and logs.
    std::string relative() const;
    /// The same path with `suffix` appended to the last segment (the ".gz" sibling of a file).
    /// nullopt for the root or when the result would break a rule.
    std::optional<StaticPath> with_suffix(std::string_view suffix) const;
    /// The path without its first segment ("/uploads/a.png" -> "/a.png"), for a mount's own root.
    StaticPath below_first() const;

private:
    explicit StaticPath(std::vector<std::string> segments) : segments_(std::move(segments)) {}
    static bool plain_name(std::string_view segment);
    std::vector<std::string> segments_;
};

}  // namespace gomall::http
