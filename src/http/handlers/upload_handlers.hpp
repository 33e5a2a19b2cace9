// HTTP routes of image uploads (signed-in users): multipart/form-data in, stored files out.
#pragma once

#include <cstddef>

#include "http/router.hpp"
#include "services/upload_service.hpp"

namespace gomall::http {

struct UploadRouteLimits {
    std::size_t max_total_bytes = std::size_t{46} * 1024 * 1024;  // the routes' body limit
    std::size_t max_files = 9;                                    // parts per request
};

/// Registers POST /api/upload (one file in field "file") and POST /api/upload/multi (up to
/// max_files in field "files"). `uploads` must outlive the router.
void register_upload_routes(Router& router, services::UploadService& uploads, UploadRouteLimits limits);

}  // namespace gomall::http
