// Where uploaded files are kept. The local-disk adapter is the default; an S3-compatible store
// would be another implementation of the same two promises: a name is never overwritten, and a
// failed save leaves nothing behind.
#pragma once

#include <string>
#include <string_view>

namespace gomall::ports {

class FileStore {
public:
    virtual ~FileStore() = default;

    /// Saves `bytes` as `name`, a plain file name the caller generated (letters, digits, '.', '-',
    /// '_'; never a path, never from client input). Returns false, touching nothing, when a file of
    /// that name exists. Throws on an I/O failure, after removing whatever it had written.
    /// Blocks on storage: call it from the blocking pool.
    virtual bool put(const std::string& name, std::string_view bytes, std::string_view content_type) = 0;
};

}  // namespace gomall::ports
