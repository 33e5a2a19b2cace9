// Image formats told apart by their first bytes (never by a file name or a claimed Content-Type),
// and the width and height read from their headers without decoding any pixel.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gomall::services {

enum class ImageType { kJpeg, kPng, kGif, kWebp };

struct ImageInfo {
    ImageType type = ImageType::kPng;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

/// The format whose signature `bytes` starts with; nullopt for anything else (SVG, scripts, empty).
std::optional<ImageType> sniff_image_type(std::string_view bytes);

/// Format and dimensions; nullopt when the format is unknown or its header is cut short, damaged
/// or gives a zero dimension. JPEG is read up to its first SOFn marker, WebP from its VP8, VP8L or
/// VP8X chunk, PNG from IHDR, GIF from the logical screen descriptor.
std::optional<ImageInfo> read_image_info(std::string_view bytes);

std::string_view mime_type(ImageType type);  // "image/png"
std::string_view extension(ImageType type);  // "png" (no dot)
std::string_view type_name(ImageType type);  // "PNG", for messages

}  // namespace gomall::services
