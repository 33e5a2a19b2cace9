#include "services/image_info.hpp"

#include <string>

#include <gtest/gtest.h>

#include "unit/services/image_samples.hpp"

namespace gomall::services {
namespace {

using namespace std::string_literals;
namespace samples = test_images;

void expect_info(const std::string& bytes, ImageType type, std::uint32_t width, std::uint32_t height) {
    const auto info = read_image_info(bytes);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->type, type);
    EXPECT_EQ(info->width, width);
    EXPECT_EQ(info->height, height);
}

TEST(ImageInfo, SniffsEachAcceptedType) {
    EXPECT_EQ(sniff_image_type(samples::png(1, 1)), ImageType::kPng);
    EXPECT_EQ(sniff_image_type(samples::jpeg(1, 1)), ImageType::kJpeg);
    EXPECT_EQ(sniff_image_type(samples::gif(1, 1)), ImageType::kGif);
    EXPECT_EQ(sniff_image_type(samples::webp_lossless(1, 1)), ImageType::kWebp);
}

TEST(ImageInfo, NearMissesAreNotImages) {
    EXPECT_FALSE(sniff_image_type(""));
    EXPECT_FALSE(sniff_image_type("#!/bin/sh\nrm -rf /\n"));  // a script renamed .png
    EXPECT_FALSE(sniff_image_type("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
    EXPECT_FALSE(sniff_image_type("<svg onload=alert(1)>"));
    EXPECT_FALSE(sniff_image_type("<html><script>alert(1)</script></html>"));
    EXPECT_FALSE(sniff_image_type("\x89PNG\r\n\x1a"s));        // signature cut short
    EXPECT_FALSE(sniff_image_type("\x89PNX\r\n\x1a\n...."s));  // one byte off
    EXPECT_FALSE(sniff_image_type("\xff\xd8"s));
    EXPECT_FALSE(sniff_image_type("GIF88a\x01\x00\x01\x00"s));
    EXPECT_FALSE(sniff_image_type("RIFF\x10\x00\x00\x00WAVEfmt "s));  // RIFF, but audio
    EXPECT_FALSE(sniff_image_type("BM\x3a\x00\x00\x00"s));            // BMP is not accepted
    EXPECT_FALSE(read_image_info("<svg/>"));
}

TEST(ImageInfo, ReadsPngDimensions) {
    expect_info(samples::png(1, 1), ImageType::kPng, 1, 1);
    expect_info(samples::png(640, 70000), ImageType::kPng, 640, 70000);
    EXPECT_FALSE(read_image_info(samples::png(0, 1)));
    EXPECT_FALSE(read_image_info(samples::png(1, 1).substr(0, 23)));
    auto no_ihdr = samples::png(1, 1);
    no_ihdr.replace(12, 4, "IDAT");
    EXPECT_FALSE(read_image_info(no_ihdr));
}

TEST(ImageInfo, ReadsGifDimensions) {
    expect_info(samples::gif(1, 1), ImageType::kGif, 1, 1);
    expect_info(samples::gif(300, 65535), ImageType::kGif, 300, 65535);
    EXPECT_FALSE(read_image_info("GIF89a\x01\x00"s));
    EXPECT_FALSE(read_image_info(samples::gif(0, 5)));
}

TEST(ImageInfo, ReadsJpegDimensionsFromTheFirstStartOfFrame) {
    expect_info(samples::jpeg(1, 1), ImageType::kJpeg, 1, 1);
    expect_info(samples::jpeg(1920, 1080), ImageType::kJpeg, 1920, 1080);
    // progressive (SOF2) and with fill bytes before the marker
    auto progressive = samples::jpeg(33, 44);
    progressive[progressive.find("\xff\xc0"s) + 1] = '\xc2';
    expect_info(progressive, ImageType::kJpeg, 33, 44);
    auto filled = samples::jpeg(5, 6);
    filled.insert(filled.find("\xff\xc0"s), "\xff\xff");
    expect_info(filled, ImageType::kJpeg, 5, 6);
    // DHT (C4) shares the SOF range and must be skipped, not read as a frame
    const auto sof = samples::jpeg(7, 8);
    const auto at = sof.find("\xff\xc0"s);
    const auto with_dht = sof.substr(0, at) + "\xff\xc4\x00\x04\x12\x34"s + sof.substr(at);
    expect_info(with_dht, ImageType::kJpeg, 7, 8);
}

TEST(ImageInfo, DamagedJpegsAreRefused) {
    EXPECT_FALSE(read_image_info("\xff\xd8\xff\xd9"s));                  // ends before a frame
    EXPECT_FALSE(read_image_info("\xff\xd8\xff\xda\x00\x08"s));          // scan before a frame
    EXPECT_FALSE(read_image_info("\xff\xd8\xff\xe0\x00\x01"s));          // impossible length
    EXPECT_FALSE(read_image_info("\xff\xd8\xff\xe0\x00\x10JFIF"s));      // segment cut short
    EXPECT_FALSE(read_image_info("\xff\xd8\xff\xc0\x00\x0b\x08\x00"s));  // frame header cut short
    EXPECT_FALSE(read_image_info(samples::jpeg(3, 0)));                  // height defined later (DNL)
    EXPECT_FALSE(read_image_info("\xff\xd8\xff\xe0\x00\x02X"s));         // garbage where a marker belongs
}

TEST(ImageInfo, ReadsWebpDimensionsFromEachChunkKind) {
    expect_info(samples::webp_lossless(1, 1), ImageType::kWebp, 1, 1);
    expect_info(samples::webp_lossless(16384, 3), ImageType::kWebp, 16384, 3);
    expect_info(samples::webp_lossy(1, 1), ImageType::kWebp, 1, 1);
    expect_info(samples::webp_lossy(400, 300), ImageType::kWebp, 400, 300);
    expect_info(samples::webp_extended(1, 1), ImageType::kWebp, 1, 1);
    expect_info(samples::webp_extended(20000, 16777216), ImageType::kWebp, 20000, 16777216);
    auto bad_start_code = samples::webp_lossy(1, 1);
    bad_start_code[23] = 0;
    EXPECT_FALSE(read_image_info(bad_start_code));
    auto bad_signature = samples::webp_lossless(1, 1);
    bad_signature[20] = 0;
    EXPECT_FALSE(read_image_info(bad_signature));
    EXPECT_FALSE(read_image_info(samples::webp_lossy(1, 1).substr(0, 29)));
    EXPECT_FALSE(read_image_info("RIFF\x00\x00\x00\x00WEBPALPH\x00\x00\x00\x00"s));
}

TEST(ImageInfo, NamesTypesAndExtensions) {
    EXPECT_EQ(mime_type(ImageType::kJpeg), "image/jpeg");
    EXPECT_EQ(extension(ImageType::kJpeg), "jpg");
    EXPECT_EQ(mime_type(ImageType::kWebp), "image/webp");
    EXPECT_EQ(extension(ImageType::kPng), "png");
    EXPECT_EQ(extension(ImageType::kGif), "gif");
}

}  // namespace
}  // namespace gomall::services
