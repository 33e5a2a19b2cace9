#include "adapters/storage/local_file_store.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>  // renameat2
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include "core/unique_fd.hpp"

namespace gomall::adapters::storage {
namespace {

constexpr std::size_t kMaxName = 255;
constexpr mode_t kFileMode = 0644;  // other readers (a reverse proxy serving /uploads) may need it

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), "upload store: " + what);
}

// A temporary name no client can ask for: StaticPath refuses names starting with '.', so a
// half-written file is never served either.
std::string temp_name() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> digit(0, 15);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string name = ".tmp-";
    for (int i = 0; i < 16; ++i) {
        name += kHex[digit(rd)];
    }
    return name;
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("write");
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

LocalFileStore::LocalFileStore(std::string directory) : directory_(std::move(directory)) {}

bool LocalFileStore::valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxName || name.front() == '.') {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
    });
}

bool LocalFileStore::put(const std::string& name, std::string_view bytes, std::string_view /*content_type*/) {
    if (!valid_name(name)) {
        throw std::invalid_argument("upload store: not a plain file name");
    }
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) {
        throw std::system_error(ec, "upload store: create " + directory_);
    }
    const UniqueFd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
        throw_errno("open " + directory_);
    }
    // Every name below is opened relative to the directory's descriptor, so nothing can send the
    // write anywhere else, whatever the names contain.
    const std::string temp = temp_name();
    UniqueFd file(::openat(dir.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode));
    if (file.get() < 0) {
        throw_errno("create a temporary file");
    }
    try {
        write_all(file.get(), bytes);
        if (::fsync(file.get()) != 0) {
            throw_errno("fsync");
        }
        if (::close(file.release()) != 0) {
            throw_errno("close");
        }
        // RENAME_NOREPLACE: an existing file keeps its content; the caller picks another name.
        if (::renameat2(dir.get(), temp.c_str(), dir.get(), name.c_str(), RENAME_NOREPLACE) != 0) {
            if (errno == EEXIST) {
                ::unlinkat(dir.get(), temp.c_str(), 0);
                return false;
            }
            throw_errno("rename");
        }
    } catch (...) {
        ::unlinkat(dir.get(), temp.c_str(), 0);
        throw;
    }
    // The rename itself is durable once the directory is synced.
    ::fsync(dir.get());
    return true;
}

}  // namespace gomall::adapters::storage
