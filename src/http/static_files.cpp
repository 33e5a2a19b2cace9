#include "http/static_files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gomall::http {
namespace {

namespace fs = std::filesystem;

// The OpenAPI document's path is configuration, not request input: it is read as given.
std::optional<std::string> read_configured_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool accepts_gzip(const Request& req) {
    return req.header("accept-encoding").find("gzip") != std::string_view::npos;
}

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

}  // namespace

std::string_view mime_type_for(std::string_view filename) {
    const auto dot = filename.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? "" : filename.substr(dot + 1);
    if (ext == "html")
        return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs")
        return "text/javascript; charset=utf-8";
    if (ext == "css")
        return "text/css; charset=utf-8";
    if (ext == "json" || ext == "map")
        return "application/json";
    if (ext == "svg")
        return "image/svg+xml";
    if (ext == "png")
        return "image/png";
    if (ext == "jpg" || ext == "jpeg")
        return "image/jpeg";
    if (ext == "gif")
        return "image/gif";
    if (ext == "webp")
        return "image/webp";
    if (ext == "ico")
        return "image/x-icon";
    if (ext == "woff2")
        return "font/woff2";
    if (ext == "yaml" || ext == "yml")
        return "application/yaml";
    if (ext == "txt")
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

StaticFiles::StaticFiles(StaticSettings settings) : settings_(std::move(settings)), web_root_(settings_.root) {
    for (const auto& mount : settings_.mounts) {
        mounts_.push_back(Mount{mount.prefix, StaticRoot(mount.directory), mount.cache_control});
    }
}

std::optional<Response> StaticFiles::file_response(
    const StaticRoot& root, const StaticPath& path, const Request& req, const std::string& cache_control
) const {
    std::optional<std::string> body;
    bool gzipped = false;
    if (accepts_gzip(req)) {
        if (const auto gz = path.with_suffix(".gz")) {
            body = root.read(*gz);
            gzipped = body.has_value();
        }
    }
    if (!body) {
        body = root.read(path);
    }
    if (!body) {
        return std::nullopt;
    }
    Response res;
    res.content_type = std::string(mime_type_for(path.file_name()));
    res.body = std::move(*body);
    if (gzipped) {
        res.set_header("Content-Encoding", "gzip");
    }
    res.set_header("Vary", "Accept-Encoding");
    res.set_header("Cache-Control", cache_control);
    return res;
}

bool StaticFiles::is_app_route(const StaticPath& path) const {
    if (path.is_root()) {
        return true;
    }
    const auto& first = path.segments().front();
    return std::find(settings_.app_routes.begin(), settings_.app_routes.end(), first) != settings_.app_routes.end();
}

std::optional<Response> StaticFiles::app_response(const StaticPath& path, const Request& req) const {
    // Paths that look like files (/assets/x.js) stay 404 so a missing asset is visible.
    if (path.file_name().find('.') != std::string_view::npos) {
        return std::nullopt;
    }
    const auto index = StaticPath::parse("/index.html");
    auto res = file_response(web_root_, *index, req, "no-cache");
    if (!res || is_app_route(path)) {
        return res;
    }
    // Not a route of the app: a browser gets the app's own "not found" page, with a 404 status;
    // any other client the JSON envelope.
    if (req.header("accept").find("text/html") == std::string_view::npos) {
        return std::nullopt;
    }
    res->status = 404;
    return res;
}

std::optional<Response> StaticFiles::trailing_slash_redirect(const std::string& raw) {
    // "/products/" -> "/products". Only a path that passes the rules once the slash is gone is
    // redirected: it starts with one '/' and a plain name, so "//evil.example/" cannot turn into a
    // redirect to another host.
    if (raw.size() < 2 || raw.back() != '/' || !StaticPath::parse(raw.substr(0, raw.size() - 1))) {
        return std::nullopt;
    }
    Response res;
    res.status = 301;
    res.content_type = "text/plain; charset=utf-8";
    res.set_header("Location", raw.substr(0, raw.size() - 1));
    return res;
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
    if (req.method != Method::kGet && req.method != Method::kHead) {
        return std::nullopt;
    }
    const std::string& raw = req.path;
    if (raw == "/api" || raw.rfind("/api/", 0) == 0) {
        return std::nullopt;
    }
    if (raw == "/swagger/openapi.yaml") {
        auto text = read_configured_file(settings_.openapi_path);
        if (!text) {
            return std::nullopt;
        }
        Response res;
        res.content_type = "application/yaml";
        res.body = std::move(*text);
        res.set_header("Cache-Control", "no-cache");
        return res;
    }
    if (raw == "/swagger" || raw == "/swagger/") {
        Response res;
        res.status = 302;
        res.content_type = "text/plain; charset=utf-8";
        res.set_header("Location", "/swagger/index.html");
        return res;
    }
    const auto path = StaticPath::parse(raw);
    if (!path) {
        return trailing_slash_redirect(raw);
    }
    if (path->is_root()) {
        return app_response(*path, req);
    }
    const auto& first = path->segments().front();
    for (const auto& mount : mounts_) {
        if (first == mount.prefix) {
            return file_response(mount.root, path->below_first(), req, mount.cache_control);
        }
    }
    // Vite puts a content hash in every asset name, so those never change; index.html must be re-checked.
    const std::string cache = first == "assets" ? std::string(kImmutable) : std::string("no-cache");
    if (auto res = file_response(web_root_, *path, req, cache)) {
        return res;
    }
    return app_response(*path, req);
}

}  // namespace gomall::http
