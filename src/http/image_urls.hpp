// The public address of product images in answers: stored paths are root-relative ("/images/a.jpg"),
// and a configured base URL lets a front end on another origin (or a CDN) load them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gomall::http {

class ImageUrls {
public:
    /// No base: every stored value is answered as stored.
    ImageUrls() = default;
    /// `base` must have passed base_url_problem(); one trailing slash is dropped.
    explicit ImageUrls(std::string base);

    /// `stored` with the base in front when it is a root-relative path ("/x", not "//x"); absolute
    /// URLs, empty values and anything else are answered as stored.
    std::string public_url(std::string_view stored) const;

    const std::string& base() const { return base_; }

    /// Why `base` cannot be a public image base, or nullopt when it can. Accepted: empty (no base),
    /// or http(s)://host[:port][/path] with no query, fragment, credentials, spaces or control
    /// characters, at most kMaxBaseLength bytes.
    static std::optional<std::string> base_url_problem(std::string_view base);

    static constexpr std::size_t kMaxBaseLength = 300;

private:
    std::string base_;
};

}  // namespace gomall::http
