// The static mounts: the built web UI at "/" (with the client-side routes answered by index.html),
// Swagger UI inside it, the OpenAPI document, and further directories under URL prefixes of their
// own. Every file is read through a StaticRoot, which cannot leave its directory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/static_path.hpp"
#include "http/static_root.hpp"

namespace gomall::http {

/// A directory served under a URL prefix of one segment ("/uploads/<file>").
struct StaticMount {
    std::string prefix;  // the first path segment, without slashes: "uploads"
    std::string directory;
    std::string cache_control = "no-cache";
};

struct StaticSettings {
    std::string root;          // built front end (index.html, assets/, swagger/)
    std::string openapi_path;  // served at /swagger/openapi.yaml
    // First path segments of the web UI's own routes (/products/3, /cart): they get index.html.
    std::vector<std::string> app_routes = {
        "products", "seckill", "login", "register", "profile", "cart", "orders", "admin"};
    std::vector<StaticMount> mounts;
};

class StaticFiles {
public:
    explicit StaticFiles(StaticSettings settings);

    /// A response for GET/HEAD of `path`, or nullopt when nothing here answers it (the caller sends 404).
    /// Never serves anything for /api/... paths. Reads the file: call it off the I/O threads.
    std::optional<Response> serve(const Request& req) const;

private:
    struct Mount {
        std::string prefix;
        StaticRoot root;
        std::string cache_control;
    };
    std::optional<Response> file_response(
        const StaticRoot& root, const StaticPath& path, const Request& req, const std::string& cache_control
    ) const;
    std::optional<Response> app_response(const StaticPath& path, const Request& req) const;
    bool is_app_route(const StaticPath& path) const;
    static std::optional<Response> trailing_slash_redirect(const std::string& raw);

    StaticSettings settings_;
    StaticRoot web_root_;
    std::vector<Mount> mounts_;
};

/// Content-Type for a file name by its extension.
std::string_view mime_type_for(std::string_view filename);

}  // namespace gomall::http
