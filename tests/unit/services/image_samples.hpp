// Image headers of chosen dimensions, byte by byte, for the sniffing and upload tests. Only the
// headers are meaningful; the pixel data is a placeholder.
#pragma once

#include <cstdint>
#include <string>

namespace gomall::test_images {

using namespace std::string_literals;

inline std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}
inline std::string be16(std::uint32_t v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v)};
}
inline std::string le16(std::uint32_t v) {
    return {static_cast<char>(v), static_cast<char>(v >> 8)};
}
inline std::string le24(std::uint32_t v) {
    return {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16)};
}
inline std::string le32(std::uint32_t v) {
    return le16(v & 0xFFFFU) + le16(v >> 16);
}

inline std::string png(std::uint32_t w, std::uint32_t h) {
    return "\x89PNG\r\n\x1a\n"s + be32(13) + "IHDR" + be32(w) + be32(h) + "\x08\x06\x00\x00\x00"s + "CRC!" + be32(0) +
           "IEND" + "\xae\x42\x60\x82"s;
}

inline std::string gif(std::uint32_t w, std::uint32_t h) {
    return "GIF89a" + le16(w) + le16(h) + "\x80\x00\x00\x00\x00\x00\xff\xff\xff;"s;
}

inline std::string jpeg(std::uint32_t w, std::uint32_t h) {
    const std::string app0 = "\xff\xe0"s + be16(16) + "JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"s;
    const std::string sof0 = "\xff\xc0"s + be16(11) + "\x08" + be16(h) + be16(w) + "\x01\x01\x11\x00"s;
    return "\xff\xd8"s + app0 + sof0 + "\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\xd2\xcf\x20\xff\xd9"s;
}

inline std::string riff(const std::string& chunk) {
    return "RIFF" + le32(static_cast<std::uint32_t>(4 + chunk.size())) + "WEBP" + chunk;
}

inline std::string webp_lossy(std::uint32_t w, std::uint32_t h) {
    const std::string data = "\x30\x01\x00\x9d\x01\x2a"s + le16(w) + le16(h) + "\x00\x00"s;
    return riff("VP8 " + le32(static_cast<std::uint32_t>(data.size())) + data);
}

inline std::string webp_lossless(std::uint32_t w, std::uint32_t h) {
    const std::uint32_t bits = ((w - 1) & 0x3FFFU) | (((h - 1) & 0x3FFFU) << 14U) | (1U << 28U);
    const std::string data = "\x2f"s + le32(bits) + "\x07\x10\x11\x11\x88\x88\xfe\x07\x00"s;
    return riff("VP8L" + le32(static_cast<std::uint32_t>(data.size())) + data);
}

inline std::string webp_extended(std::uint32_t w, std::uint32_t h) {
    const std::string data = "\x00\x00\x00\x00"s + le24(w - 1) + le24(h - 1);
    return riff("VP8X" + le32(static_cast<std::uint32_t>(data.size())) + data);
}

}  // namespace gomall::test_images
