#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace gomall::http {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& path) {
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

// Rejects traversal: every segment must be a plain name.
bool safe_relative(std::string_view rel) {
    if (rel.find('\0') != std::string_view::npos || rel.find('\\') != std::string_view::npos) {
        return false;
    }
    std::size_t start = 0;
    while (start <= rel.size()) {
        auto slash = rel.find('/', start);
        if (slash == std::string_view::npos)
            slash = rel.size();
        const auto seg = rel.substr(start, slash - start);
        if (seg == ".." || seg == "." || (!seg.empty() && seg[0] == '.')) {
            return false;
        }
        start = slash + 1;
    }
    return true;
}

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

StaticFiles::StaticFiles(StaticSettings settings) : settings_(std::move(settings)) {}

std::optional<Response> StaticFiles::file_response(const std::string& relative, const Request& req, bool immutable)
    const {
    const fs::path full = fs::path(settings_.root) / relative;
    std::optional<std::string> body;
    bool gzipped = false;
    if (accepts_gzip(req)) {
        body = read_file(full.string() + ".gz");
        gzipped = body.has_value();
    }
    if (!body) {
        body = read_file(full);
    }
    if (!body) {
        return std::nullopt;
    }
    Response res;
    res.content_type = std::string(mime_type_for(relative));
    res.body = std::move(*body);
    if (gzipped) {
        res.set_header("Content-Encoding", "gzip");
    }
    res.set_header("Vary", "Accept-Encoding");
    // Vite puts a content hash in every asset name, so those never change; index.html must be re-checked.
    res.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
    return res;
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
    if (req.method != Method::kGet && req.method != Method::kHead) {
        return std::nullopt;
    }
    const std::string& path = req.path;
    if (path == "/api" || path.rfind("/api/", 0) == 0) {
        return std::nullopt;
    }
    if (path == "/swagger/openapi.yaml") {
        auto text = read_file(settings_.openapi_path);
        if (!text) {
            return std::nullopt;
        }
        Response res;
        res.content_type = "application/yaml";
        res.body = std::move(*text);
        res.set_header("Cache-Control", "no-cache");
        return res;
    }
    if (path == "/swagger" || path == "/swagger/") {
        Response res;
        res.status = 302;
        res.content_type = "text/plain; charset=utf-8";
        res.set_header("Location", "/swagger/index.html");
        return res;
    }
    std::string relative = path.size() > 1 ? path.substr(1) : "index.html";
    if (!relative.empty() && relative.back() == '/') {
        relative += "index.html";
    }
    if (!safe_relative(relative)) {
        return std::nullopt;
    }
    const bool immutable = relative.rfind("assets/", 0) == 0;
    if (auto res = file_response(relative, req, immutable)) {
        return res;
    }
    // Client-side routes (/products/3, /cart) have no file: hand the app its index.html.
    // Paths that look like files (/assets/x.js) stay 404 so a missing asset is visible.
    const auto last_slash = relative.rfind('/');
    const auto name = last_slash == std::string::npos ? relative : relative.substr(last_slash + 1);
    if (name.find('.') != std::string::npos) {
        return std::nullopt;
    }
    return file_response("index.html", req, false);
}

}  // namespace gomall::http
