// Image uploads: what is accepted (JPEG, PNG, GIF, WebP by their bytes, within size and dimension
// caps), what it is called (a random name chosen here, never the client's) and where it goes (a
// FileStore). The multipart framing around the bytes is the HTTP layer's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "ports/file_store.hpp"
#include "services/image_info.hpp"

namespace gomall::services {

struct UploadSettings {
    std::size_t max_file_bytes = std::size_t{5} * 1024 * 1024;
    std::uint32_t max_image_dimension = 10000;  // width and height, each
    std::string public_path = "/uploads";       // URL prefix the store's files are served under
};

struct StoredUpload {
    std::string name;  // the generated file name: 32 hex digits, a dot and the type's extension
    std::string url;   // public_path + "/" + name
    std::string type;  // MIME type from the content ("image/png")
    std::size_t size = 0;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

class UploadService {
public:
    UploadService(ports::FileStore& store, UploadSettings settings);

    /// Checks every file, then stores them all: one refused file stores none. `field` names the
    /// form field in errors ("file", or "files[2]" when there are several). Errors: 70001 an empty
    /// file, 70002 not an accepted image type (or a damaged header), 70003 over max_file_bytes,
    /// 70006 a width or height over max_image_dimension. Store failures are exceptions.
    Result<std::vector<StoredUpload>> store(const std::vector<std::string_view>& files, std::string_view field);

    const UploadSettings& settings() const { return settings_; }

private:
    StoredUpload save(std::string_view bytes, const ImageInfo& info);

    ports::FileStore& store_;
    UploadSettings settings_;
};

}  // namespace gomall::services
