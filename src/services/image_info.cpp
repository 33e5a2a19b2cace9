#include "services/image_info.hpp"

namespace gomall::services {
namespace {

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";

std::uint32_t byte_at(std::string_view s, std::size_t i) {
    return static_cast<unsigned char>(s[i]);
}

std::uint32_t be16(std::string_view s, std::size_t i) {
    return (byte_at(s, i) << 8U) | byte_at(s, i + 1);
}

std::uint32_t be32(std::string_view s, std::size_t i) {
    return (be16(s, i) << 16U) | be16(s, i + 2);
}

std::uint32_t le16(std::string_view s, std::size_t i) {
    return byte_at(s, i) | (byte_at(s, i + 1) << 8U);
}

std::uint32_t le24(std::string_view s, std::size_t i) {
    return le16(s, i) | (byte_at(s, i + 2) << 16U);
}

std::optional<ImageInfo> sized(ImageType type, std::uint32_t width, std::uint32_t height) {
    if (width == 0 || height == 0) {
        return std::nullopt;
    }
    return ImageInfo{type, width, height};
}

std::optional<ImageInfo> png_info(std::string_view b) {
    // The signature, then IHDR as the first chunk: length, "IHDR", width and height (big-endian).
    constexpr std::size_t kIhdrEnd = 24;
    if (b.size() < kIhdrEnd || b.substr(12, 4) != "IHDR") {
        return std::nullopt;
    }
    const auto width = be32(b, 16);
    const auto height = be32(b, 20);
    if (width > 0x7fffffffU || height > 0x7fffffffU) {  // the PNG specification's own limit
        return std::nullopt;
    }
    return sized(ImageType::kPng, width, height);
}

std::optional<ImageInfo> gif_info(std::string_view b) {
    // The logical screen descriptor right after "GIF87a"/"GIF89a": width and height, little-endian.
    if (b.size() < 10) {
        return std::nullopt;
    }
    return sized(ImageType::kGif, le16(b, 6), le16(b, 8));
}

bool is_start_of_frame(std::uint32_t marker) {
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

std::optional<ImageInfo> jpeg_info(std::string_view b) {
    // Segments follow SOI: 0xFF, a marker, and (for most markers) a big-endian length that counts
    // itself. The first SOFn holds precision, height and width.
    std::size_t pos = 2;
    while (pos < b.size()) {
        if (byte_at(b, pos) != 0xFF) {
            return std::nullopt;
        }
        while (pos < b.size() && byte_at(b, pos) == 0xFF) {  // fill bytes
            ++pos;
        }
        if (pos >= b.size()) {
            return std::nullopt;
        }
        const auto marker = byte_at(b, pos++);
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            continue;  // no length
        }
        if (marker == 0xD9 || marker == 0xDA) {
            return std::nullopt;  // end of image or scan data before any frame header
        }
        if (pos + 2 > b.size()) {
            return std::nullopt;
        }
        const auto length = be16(b, pos);
        if (length < 2) {
            return std::nullopt;
        }
        if (is_start_of_frame(marker)) {
            if (length < 7 || pos + 7 > b.size()) {
                return std::nullopt;
            }
            return sized(ImageType::kJpeg, be16(b, pos + 5), be16(b, pos + 3));
        }
        pos += length;
    }
    return std::nullopt;
}

std::optional<ImageInfo> webp_info(std::string_view b) {
    // RIFF container: "RIFF", size, "WEBP", then the first chunk's FourCC at 12 and its data at 20.
    if (b.size() < 20) {
        return std::nullopt;
    }
    const auto chunk = b.substr(12, 4);
    if (chunk == "VP8 ") {
        // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
        if (b.size() < 30 || b.substr(23, 3) != "\x9d\x01\x2a") {
            return std::nullopt;
        }
        return sized(ImageType::kWebp, le16(b, 26) & 0x3FFFU, le16(b, 28) & 0x3FFFU);
    }
    if (chunk == "VP8L") {
        // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each.
        if (b.size() < 25 || byte_at(b, 20) != 0x2F) {
            return std::nullopt;
        }
        const std::uint32_t bits =
            byte_at(b, 21) | (byte_at(b, 22) << 8U) | (byte_at(b, 23) << 16U) | (byte_at(b, 24) << 24U);
        return sized(ImageType::kWebp, (bits & 0x3FFFU) + 1, ((bits >> 14U) & 0x3FFFU) + 1);
    }
    if (chunk == "VP8X") {
        // Extended: flags and reserved bytes, then canvas width-1 and height-1 in 24 bits each.
        if (b.size() < 30) {
            return std::nullopt;
        }
        return sized(ImageType::kWebp, le24(b, 24) + 1, le24(b, 27) + 1);
    }
    return std::nullopt;
}

}  // namespace

std::optional<ImageType> sniff_image_type(std::string_view bytes) {
    if (bytes.substr(0, kPngSignature.size()) == kPngSignature) {
        return ImageType::kPng;
    }
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xff\xd8\xff") {
        return ImageType::kJpeg;
    }
    if (bytes.substr(0, 6) == "GIF87a" || bytes.substr(0, 6) == "GIF89a") {
        return ImageType::kGif;
    }
    if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
        return ImageType::kWebp;
    }
    return std::nullopt;
}

std::optional<ImageInfo> read_image_info(std::string_view bytes) {
    const auto type = sniff_image_type(bytes);
    if (!type) {
        return std::nullopt;
    }
    switch (*type) {
        case ImageType::kPng:
            return png_info(bytes);
        case ImageType::kJpeg:
            return jpeg_info(bytes);
        case ImageType::kGif:
            return gif_info(bytes);
        case ImageType::kWebp:
            return webp_info(bytes);
    }
    return std::nullopt;
}

std::string_view mime_type(ImageType type) {
    switch (type) {
        case ImageType::kJpeg:
            return "image/jpeg";
        case ImageType::kPng:
            return "image/png";
        case ImageType::kGif:
            return "image/gif";
        case ImageType::kWebp:
            return "image/webp";
    }
    return "application/octet-stream";
}

std::string_view extension(ImageType type) {
    switch (type) {
        case ImageType::kJpeg:
            return "jpg";
        case ImageType::kPng:
            return "png";
        case ImageType::kGif:
            return "gif";
        case ImageType::kWebp:
            return "webp";
    }
    return "bin";
}

std::string_view type_name(ImageType type) {
    switch (type) {
        case ImageType::kJpeg:
            return "JPEG";
        case ImageType::kPng:
            return "PNG";
        case ImageType::kGif:
            return "GIF";
        case ImageType::kWebp:
            return "WebP";
    }
    return "image";
}

}  // namespace gomall::services
