#include "adapters/storage/local_file_store.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace gomall::adapters::storage {
namespace {

namespace fs = std::filesystem;

class LocalFileStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::temp_directory_path() / ("gomall-store-" + std::to_string(::getpid()));
        fs::remove_all(base_);
        dir_ = base_ / "a" / "uploads";  // created at the first save
    }
    void TearDown() override {
        ::chmod(dir_.c_str(), 0755);
        fs::remove_all(base_);
    }
    static std::string read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }
    // Every path under base_, relative to it.
    std::vector<std::string> tree() const {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(base_)) {
            out.push_back(fs::relative(e.path(), base_).string());
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    fs::path base_;
    fs::path dir_;
};

TEST_F(LocalFileStoreTest, WritesTheFileUnderItsNameAndNothingElse) {
    LocalFileStore store(dir_.string());
    const std::string bytes("\x89PNG\0\r\n--x", 10);
    ASSERT_TRUE(store.put("0123abcd.png", bytes, "image/png"));
    EXPECT_EQ(read(dir_ / "0123abcd.png"), bytes);
    EXPECT_EQ(tree(), (std::vector<std::string>{"a", "a/uploads", "a/uploads/0123abcd.png"}));
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "0123abcd.png").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0600, 0600U);
    EXPECT_EQ(st.st_mode & 0022, 0U);
}

TEST_F(LocalFileStoreTest, NeverReplacesAnExistingFile) {
    LocalFileStore store(dir_.string());
    ASSERT_TRUE(store.put("same.gif", "first", "image/gif"));
    EXPECT_FALSE(store.put("same.gif", "second", "image/gif"));
    EXPECT_EQ(read(dir_ / "same.gif"), "first");
    EXPECT_EQ(tree(), (std::vector<std::string>{"a", "a/uploads", "a/uploads/same.gif"}));  // no temp file left
}

TEST_F(LocalFileStoreTest, RefusesNamesWithPathComponents) {
    LocalFileStore store(dir_.string());
    for (const std::string& name : std::vector<std::string>{
             "../x.png",
             "a/b.png",
             "/etc/x",
             "..",
             ".",
             ".hidden",
             "",
             "a\\b",
             std::string("a\0b", 3),
             "a b",
             std::string(256, 'a')}) {
        EXPECT_THROW(store.put(name, "x", "image/png"), std::invalid_argument) << name;
    }
    EXPECT_FALSE(fs::exists(base_));  // nothing created, not even the directory
    EXPECT_TRUE(LocalFileStore::valid_name(std::string(255, 'a')));
    EXPECT_TRUE(LocalFileStore::valid_name("0f-_.webp"));
}

TEST_F(LocalFileStoreTest, AFailedWriteLeavesNoTemporaryFile) {
    LocalFileStore store(dir_.string());
    ASSERT_TRUE(store.put("one.png", "1", "image/png"));
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root ignores directory permissions";
    }
    ASSERT_EQ(::chmod(dir_.c_str(), 0555), 0);  // the temporary file cannot be created
    EXPECT_THROW(store.put("two.png", "2", "image/png"), std::system_error);
    ::chmod(dir_.c_str(), 0755);
    EXPECT_EQ(tree(), (std::vector<std::string>{"a", "a/uploads", "a/uploads/one.png"}));
}

TEST_F(LocalFileStoreTest, AWriteThatFailsHalfWayRemovesItsTemporaryFile) {
    LocalFileStore store(dir_.string());
    ASSERT_TRUE(store.put("one.png", "1", "image/png"));
    // A file size limit makes write() fail with EFBIG after the temporary file exists.
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    auto* const previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 16;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    EXPECT_THROW(store.put("two.png", std::string(1000, 'x'), "image/png"), std::system_error);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    EXPECT_EQ(tree(), (std::vector<std::string>{"a", "a/uploads", "a/uploads/one.png"}));
}

TEST_F(LocalFileStoreTest, AFileWhereTheDirectoryShouldBeIsAnError) {
    fs::create_directories(base_ / "a");
    std::ofstream(dir_) << "not a directory";
    LocalFileStore store(dir_.string());
    EXPECT_THROW(store.put("x.png", "x", "image/png"), std::system_error);
}

}  // namespace
}  // namespace gomall::adapters::storage
