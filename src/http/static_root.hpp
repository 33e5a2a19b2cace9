// One directory whose regular files may be read, and nothing outside it: every path component is
// opened relative to the one before it with O_NOFOLLOW, so neither "..", an absolute path nor a
// symbolic link planted inside the directory can lead anywhere else.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "http/static_path.hpp"

namespace gomall::http {

class StaticRoot {
public:
    /// `directory` comes from configuration (trusted) and is resolved when a file is read, so the
    /// directory may be created or rebuilt while the server runs.
    explicit StaticRoot(std::string directory, std::size_t max_file_bytes = std::size_t{64} * 1024 * 1024);

    /// The whole content of the regular file at `path` beneath the root; nullopt when it does not
    /// exist, is not a regular file (directory, FIFO, device, socket), is reached through a symbolic
    /// link, is larger than the limit or cannot be read. The root itself is never a file.
    /// Blocks on the file system: call it off the I/O threads.
    std::optional<std::string> read(const StaticPath& path) const;

    const std::string& directory() const { return directory_; }

private:
    std::string directory_;
    std::size_t max_file_bytes_;
};

}  // namespace gomall::http
