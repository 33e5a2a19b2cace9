// Uploaded files on the local disk, in one directory. Each file is written to a hidden temporary
// name created with O_EXCL, synced, then renamed to its final name without replacing anything, so
// a reader never sees half a file and a crash leaves at most a ".tmp-" file, never a torn one.
#pragma once

#include <string>
#include <string_view>

#include "ports/file_store.hpp"

namespace gomall::adapters::storage {

class LocalFileStore final : public ports::FileStore {
public:
    /// `directory` comes from configuration; it is created (with its parents) at the first save.
    explicit LocalFileStore(std::string directory);

    /// Throws std::invalid_argument for a name that is not one plain file name (see the port).
    bool put(const std::string& name, std::string_view bytes, std::string_view content_type) override;

    const std::string& directory() const { return directory_; }

    /// True for names put() accepts: 1-255 bytes of [A-Za-z0-9._-], not starting with '.'.
    static bool valid_name(std::string_view name);

private:
    std::string directory_;
};

}  // namespace gomall::adapters::storage
