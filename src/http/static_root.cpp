#include "http/static_root.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/unique_fd.hpp"

namespace gomall::http {
namespace {

int open_retrying(int dir, const char* name, int flags) {
    int fd = -1;
    do {
        fd = ::openat(dir, name, flags);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

}  // namespace

StaticRoot::StaticRoot(std::string directory, std::size_t max_file_bytes)
    : directory_(std::move(directory)), max_file_bytes_(max_file_bytes) {}

std::optional<std::string> StaticRoot::read(const StaticPath& path) const {
    if (path.is_root()) {
        return std::nullopt;
    }
    // O_PATH: the directories are only walked through, never read (no listing can come of it).
    constexpr int kDirectoryFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd dir(open_retrying(AT_FDCWD, directory_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        return std::nullopt;
    }
    const auto& segments = path.segments();
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
        UniqueFd next(open_retrying(dir.get(), segments[i].c_str(), kDirectoryFlags));
        if (!next.valid()) {
            return std::nullopt;
        }
        dir = std::move(next);
    }
    // O_NONBLOCK: a FIFO planted in the root must not hang the reading thread; O_NOCTTY for devices.
    const UniqueFd file(
        open_retrying(dir.get(), segments.back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    );
    if (!file.valid()) {
        return std::nullopt;
    }
    struct stat info {};
    if (::fstat(file.get(), &info) != 0 || !S_ISREG(info.st_mode) || info.st_size < 0 ||
        static_cast<std::size_t>(info.st_size) > max_file_bytes_) {
        return std::nullopt;
    }
    std::string content(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t filled = 0;
    while (filled < content.size()) {
        const auto n = ::read(file.get(), content.data() + filled, content.size() - filled);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::nullopt;
        }
        if (n == 0) {
            break;  // shrank while being read: serve what is there
        }
        filled += static_cast<std::size_t>(n);
    }
    content.resize(filled);
    return content;
}

}  // namespace gomall::http
