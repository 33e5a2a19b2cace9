// Upload handlers: check the request's media type, take the multipart body apart, hand the file
// bytes to UploadService, envelope what it stored. The server has read the whole body (up to the
// route's body limit) before the handler runs; the handler runs on the blocking pool.
#include "http/handlers/upload_handlers.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "http/envelope.hpp"
#include "http/multipart.hpp"

namespace gomall::http {
namespace {

// Enough for Content-Disposition with a long file name and a Content-Type; browsers send two lines.
constexpr std::size_t kMaxPartHeaderBytes = 4096;
constexpr std::size_t kMaxPartHeaderLines = 8;

ErrorCode code_for(MultipartError error) {
    switch (error) {
        case MultipartError::kPartTooLarge:
            return ErrorCode::kUploadTooLarge;
        case MultipartError::kTooManyParts:
            return ErrorCode::kUploadTooManyFiles;
        case MultipartError::kNone:
        case MultipartError::kMalformed:
        case MultipartError::kHeaderTooLarge:
        case MultipartError::kTooManyHeaders:
            return ErrorCode::kUploadMalformed;
    }
    return ErrorCode::kUploadMalformed;
}

boost::json::object upload_json(const services::StoredUpload& file) {
    return {
        {"url", file.url},
        {"name", file.name},
        // The original GoMall answered "filename" (the client's own name); ours is the stored name,
        // which is what a client shows or stores anyway.
        {"filename", file.name},
        {"type", file.type},
        {"size", file.size},
        {"width", file.width},
        {"height", file.height},
    };
}

Response upload(Request& req, services::UploadService& uploads, const UploadRouteLimits& limits, bool multi) {
    const std::string field = multi ? "files" : "file";
    const auto boundary = multipart_boundary(req.header("content-type"));
    if (!boundary) {
        return error_response(req, ErrorCode::kUnsupportedMediaType, "Content-Type must be multipart/form-data");
    }
    if (boundary->empty()) {
        return error_response(
            req,
            ErrorCode::kUploadMalformed,
            "Content-Type: multipart/form-data needs a boundary parameter of 1-70 allowed characters"
        );
    }
    MultipartLimits parser_limits;
    parser_limits.max_parts = limits.max_files;
    parser_limits.max_part_bytes = uploads.settings().max_file_bytes;
    parser_limits.max_header_bytes = kMaxPartHeaderBytes;
    parser_limits.max_header_count = kMaxPartHeaderLines;
    MultipartParser parser(*boundary, parser_limits);
    if (!parser.feed(req.body) || !parser.finish()) {
        const auto code = code_for(parser.error());
        std::string message = "multipart body: " + parser.error_detail();
        if (code == ErrorCode::kUploadTooManyFiles) {
            message = "at most " + std::to_string(limits.max_files) + " files (form parts) per request";
        } else if (code == ErrorCode::kUploadTooLarge) {
            message = "a file is over " + std::to_string(parser_limits.max_part_bytes) + " bytes";
        }
        return error_response(req, code, message, code == ErrorCode::kUploadMalformed ? "" : field);
    }
    // The client's file name and Content-Type are not used: the name is generated and the type
    // comes from the content. Parts of other fields are ignored.
    std::vector<std::string_view> files;
    for (const auto& part : parser.parts()) {
        if (part.name == field) {
            files.emplace_back(part.body);
        }
    }
    if (files.empty()) {
        return error_response(
            req, ErrorCode::kUploadNoFile, field + ": no file in the form field '" + field + "'", field
        );
    }
    if (!multi && files.size() > 1) {
        return error_response(
            req, ErrorCode::kUploadTooManyFiles, "file: one file here; send several to /api/upload/multi", field
        );
    }
    auto stored = uploads.store(files, field);
    if (!stored.ok()) {
        return error_response(req, stored.error());
    }
    if (!multi) {
        return ok(req, upload_json(stored.value().front()), 201);
    }
    boost::json::array list;
    for (const auto& file : stored.value()) {
        list.push_back(upload_json(file));
    }
    return ok(req, boost::json::object{{"files", std::move(list)}}, 201);
}

}  // namespace

void register_upload_routes(Router& router, services::UploadService& uploads, UploadRouteLimits limits) {
    RouteOptions options;
    options.auth = true;
    options.body_limit = limits.max_total_bytes;
    router.post(
        "/api/upload", [&uploads, limits](Request& req) { return upload(req, uploads, limits, false); }, options
    );
    router.post(
        "/api/upload/multi", [&uploads, limits](Request& req) { return upload(req, uploads, limits, true); }, options
    );
}

}  // namespace gomall::http
