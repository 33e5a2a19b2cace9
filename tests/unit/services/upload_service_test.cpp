#include "services/upload_service.hpp"

#include <map>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "unit/services/image_samples.hpp"

namespace gomall::services {
namespace {

namespace samples = test_images;

class MemoryFileStore final : public ports::FileStore {
public:
    bool put(const std::string& name, std::string_view bytes, std::string_view content_type) override {
        ++puts;
        if (taken_names > 0) {
            --taken_names;
            return false;
        }
        files[name] = {std::string(bytes), std::string(content_type)};
        return true;
    }
    std::map<std::string, std::pair<std::string, std::string>> files;
    int puts = 0;
    int taken_names = 0;  // this many puts answer "name taken"
};

class UploadServiceTest : public ::testing::Test {
protected:
    UploadServiceTest() : service_(store_, settings()) {}
    static UploadSettings settings() {
        UploadSettings s;
        s.max_file_bytes = 1000;
        s.max_image_dimension = 10000;
        s.public_path = "/uploads";
        return s;
    }
    MemoryFileStore store_;
    UploadService service_;
};

TEST_F(UploadServiceTest, StoresEachTypeUnderARandomNameWithTheSniffedExtension) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {samples::png(2, 3), "png"},
        {samples::jpeg(4, 5), "jpg"},
        {samples::gif(6, 7), "gif"},
        {samples::webp_lossy(8, 9), "webp"}};
    for (const auto& [bytes, ext] : cases) {
        const auto result = service_.store({bytes}, "file");
        ASSERT_TRUE(result.ok()) << result.error().message;
        const auto& file = result.value().at(0);
        EXPECT_TRUE(std::regex_match(file.name, std::regex("[0-9a-f]{32}\\." + ext))) << file.name;
        EXPECT_EQ(file.url, "/uploads/" + file.name);
        EXPECT_EQ(file.type, "image/" + std::string(ext == "jpg" ? "jpeg" : ext));
        EXPECT_EQ(file.size, bytes.size());
        EXPECT_EQ(store_.files.at(file.name).first, bytes);
        EXPECT_EQ(store_.files.at(file.name).second, file.type);
    }
    EXPECT_EQ(service_.store({samples::png(2, 3)}, "file").value().at(0).width, 2U);
}

TEST_F(UploadServiceTest, RefusesWhatIsNotAnAcceptedImage) {
    const auto svg = service_.store({"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"}, "file");
    ASSERT_FALSE(svg.ok());
    EXPECT_EQ(svg.error().code, ErrorCode::kUploadUnsupportedType);
    EXPECT_EQ(svg.error().field, "file");
    EXPECT_EQ(service_.store({"#!/bin/sh\necho hi\n"}, "file").error().code, ErrorCode::kUploadUnsupportedType);
    EXPECT_EQ(
        service_.store({samples::png(1, 1).substr(0, 20)}, "file").error().code, ErrorCode::kUploadUnsupportedType
    );
    EXPECT_EQ(service_.store({""}, "file").error().code, ErrorCode::kUploadNoFile);
    EXPECT_TRUE(store_.files.empty());
}

TEST_F(UploadServiceTest, CapsSizeAndDimensions) {
    auto big = samples::png(1, 1);
    big.resize(1001, 'x');
    EXPECT_EQ(service_.store({big}, "file").error().code, ErrorCode::kUploadTooLarge);
    EXPECT_TRUE(service_.store({samples::png(10000, 10000)}, "file").ok());
    const auto wide = service_.store({samples::png(10001, 1)}, "file");
    ASSERT_FALSE(wide.ok());
    EXPECT_EQ(wide.error().code, ErrorCode::kUploadImageTooLarge);
    EXPECT_NE(wide.error().message.find("10001x1"), std::string::npos);
    EXPECT_EQ(service_.store({samples::webp_extended(1, 10001)}, "file").error().code, ErrorCode::kUploadImageTooLarge);
}

TEST_F(UploadServiceTest, OneBadFileStoresNoneAndNamesItsIndex) {
    const auto result = service_.store({samples::png(1, 1), samples::gif(1, 1), "<svg/>"}, "files");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().field, "files[2]");
    EXPECT_EQ(store_.puts, 0);
    const auto both = service_.store({samples::png(1, 1), samples::gif(1, 1)}, "files");
    ASSERT_TRUE(both.ok());
    ASSERT_EQ(both.value().size(), 2U);
    EXPECT_NE(both.value()[0].name, both.value()[1].name);
}

TEST_F(UploadServiceTest, ATakenNameIsRetriedWithAnotherOne) {
    store_.taken_names = 1;
    const auto result = service_.store({samples::png(1, 1)}, "file");
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(store_.puts, 2);
    store_.taken_names = 100;
    EXPECT_THROW((void)service_.store({samples::png(1, 1)}, "file"), std::runtime_error);
}

}  // namespace
}  // namespace gomall::services
