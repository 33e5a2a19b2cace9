// Serves the built web UI (with SPA fallback to index.html), the OpenAPI document and other files
// under a root directory, with cache headers and precompressed .gz variants.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace gomall::http {

struct StaticSettings {
    std::string root;          // built front end (index.html, assets/, swagger/)
    std::string openapi_path;  // served at /swagger/openapi.yaml
};

class StaticFiles {
public:
    explicit StaticFiles(StaticSettings settings);

    /// A response for GET/HEAD of `path`, or nullopt when nothing here answers it (the caller sends 404).
    /// Never serves anything for /api/... paths. Reads the file: call it off the I/O threads.
    std::optional<Response> serve(const Request& req) const;

private:
    std::optional<Response> file_response(const std::string& relative, const Request& req, bool immutable) const;
    StaticSettings settings_;
};

/// Content-Type for a file name by its extension.
std::string_view mime_type_for(std::string_view filename);

}  // namespace gomall::http
