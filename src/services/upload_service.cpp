#include "services/upload_service.hpp"

#include <stdexcept>

#include "services/image_info.hpp"
#include "services/jwt.hpp"

namespace gomall::services {
namespace {

// 128 random bits make a clash practically impossible; the store still refuses to overwrite, so a
// clash costs a retry, never somebody else's file.
constexpr int kNameAttempts = 4;
constexpr std::size_t kNameRandomBytes = 16;

std::string label(std::string_view field, std::size_t index, std::size_t count) {
    std::string out(field);
    if (count > 1) {
        out += "[" + std::to_string(index) + "]";
    }
    return out;
}

Result<ImageInfo> check(std::string_view bytes, const UploadSettings& settings, const std::string& what) {
    if (bytes.empty()) {
        return make_error(ErrorCode::kUploadNoFile, what + ": the file is empty", what);
    }
    if (bytes.size() > settings.max_file_bytes) {
        return make_error(
            ErrorCode::kUploadTooLarge,
            what + ": the file is over " + std::to_string(settings.max_file_bytes) + " bytes",
            what
        );
    }
    const auto type = sniff_image_type(bytes);
    if (!type) {
        return make_error(
            ErrorCode::kUploadUnsupportedType, what + ": only JPEG, PNG, GIF and WebP images are accepted", what
        );
    }
    const auto info = read_image_info(bytes);
    if (!info) {
        return make_error(
            ErrorCode::kUploadUnsupportedType,
            what + ": the " + std::string(type_name(*type)) + " header is damaged or cut short",
            what
        );
    }
    if (info->width > settings.max_image_dimension || info->height > settings.max_image_dimension) {
        const auto cap = std::to_string(settings.max_image_dimension);
        return make_error(
            ErrorCode::kUploadImageTooLarge,
            what + ": the image is " + std::to_string(info->width) + "x" + std::to_string(info->height) +
                " pixels; at most " + cap + "x" + cap + " are accepted",
            what
        );
    }
    return *info;
}

}  // namespace

UploadService::UploadService(ports::FileStore& store, UploadSettings settings)
    : store_(store), settings_(std::move(settings)) {}

Result<std::vector<StoredUpload>> UploadService::store(
    const std::vector<std::string_view>& files, std::string_view field
) {
    std::vector<ImageInfo> infos;
    infos.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        auto info = check(files[i], settings_, label(field, i, files.size()));
        if (!info.ok()) {
            return info.error();
        }
        infos.push_back(info.value());
    }
    std::vector<StoredUpload> stored;
    stored.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        stored.push_back(save(files[i], infos[i]));
    }
    return stored;
}

StoredUpload UploadService::save(std::string_view bytes, const ImageInfo& info) {
    const auto mime = mime_type(info.type);
    for (int attempt = 0; attempt < kNameAttempts; ++attempt) {
        std::string name = random_hex(kNameRandomBytes) + "." + std::string(extension(info.type));
        if (store_.put(name, bytes, mime)) {
            StoredUpload out;
            out.url = settings_.public_path + "/" + name;
            out.name = std::move(name);
            out.type = std::string(mime);
            out.size = bytes.size();
            out.width = info.width;
            out.height = info.height;
            return out;
        }
    }
    throw std::runtime_error("upload: no free file name after several random tries");
}

}  // namespace gomall::services
