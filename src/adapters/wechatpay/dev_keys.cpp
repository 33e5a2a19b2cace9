// Dev key files for the emulator. Two processes may start at once (the shop and the emulator, or
// two test binaries); each file is written whole under a private temporary name and then linked
// into place, and link(2) fails with EEXIST instead of replacing: the loser reads the winner's
// file, so both end up with the same keys and nobody ever reads a half-written one.
#include "adapters/wechatpay/dev_keys.hpp"

#include <cerrno>
#include <cstddef>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "adapters/wechatpay/crypto.hpp"

namespace gomall::wechatpay {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxKeyFileBytes = std::size_t{64} * 1024;
constexpr std::size_t kSymmetricKeyLength = 32;
constexpr std::size_t kSerialLength = 40;
constexpr std::string_view kPublicPemBegin = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view kPublicPemEnd = "-----END PUBLIC KEY-----";

[[noreturn]] void io_failure(const std::string& what, const std::string& path, int err) {
    throw std::runtime_error(what + " " + path + ": " + std::generic_category().message(err));
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    int get() const { return fd_; }
    // Closes now and reports the result: close(2) is where some file systems report a failed write.
    int close() {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

void ensure_directory(const std::string& directory) {
    const fs::path path(directory);
    std::error_code ec;
    if (path.has_parent_path()) {
        fs::create_directories(path.parent_path(), ec);
        if (ec) {
            io_failure("cannot create", path.parent_path().string(), ec.value());
        }
    }
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
        io_failure("cannot create", directory, errno);
    }
    struct stat st {};
    if (::stat(directory.c_str(), &st) != 0) {
        io_failure("cannot inspect", directory, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
        throw std::runtime_error(directory + " is not a directory");
    }
    // An existing directory (or one mkdir made under a loose umask) is tightened: private keys
    // must not be listable or replaceable by other users.
    if ((st.st_mode & 07777) != 0700 && ::chmod(directory.c_str(), 0700) != 0) {
        io_failure("cannot restrict the permissions of", directory, errno);
    }
}

// The file's bytes, or nullopt if it does not exist. Symbolic links are refused: a link planted in
// the key directory must not make us read (or report the contents of) another file.
std::optional<std::string> read_existing(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        io_failure("cannot open", path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        io_failure("cannot inspect", path, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        throw std::runtime_error(path + " is not a regular file");
    }
    if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
        throw std::runtime_error(path + " is too large for a key file");
    }
    if ((st.st_mode & 077) != 0 && ::fchmod(fd.get(), 0600) != 0) {
        io_failure("cannot restrict the permissions of", path, errno);
    }
    std::string out;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            io_failure("cannot read", path, errno);
        }
        if (n == 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(n));
        if (out.size() > kMaxKeyFileBytes) {
            throw std::runtime_error(path + " is too large for a key file");
        }
    }
    return out;
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            io_failure("cannot write", path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void sync_directory(const std::string& directory) {
    Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    // Durability only: the file is in place either way, so a failure here is not fatal.
    if (fd.get() >= 0) {
        ::fsync(fd.get());
    }
}

// Puts `content` at `path` unless another process got there first; returns what is there now.
std::string publish(const std::string& directory, const std::string& path, const std::string& content) {
    const std::string temp = (fs::path(directory) / ("." + fs::path(path).filename().string() + "." +
                                                     std::to_string(::getpid()) + "." + random_nonce(16) + ".tmp"))
                                 .string();
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
        io_failure("cannot create", temp, errno);
    }
    struct Unlink {
        const std::string& path;
        ~Unlink() { ::unlink(path.c_str()); }
    } remove_temp{temp};
    // The umask may have narrowed the mode to 0400; the owner should keep being able to rotate
    // the file, and nobody else may read it.
    if (::fchmod(fd.get(), 0600) != 0) {
        io_failure("cannot set the permissions of", temp, errno);
    }
    write_all(fd.get(), content, temp);
    if (::fsync(fd.get()) != 0) {
        io_failure("cannot flush", temp, errno);
    }
    if (fd.close() != 0) {
        io_failure("cannot write", temp, errno);
    }
    if (::link(temp.c_str(), path.c_str()) == 0) {
        sync_directory(directory);
        return content;
    }
    const int err = errno;
    if (err != EEXIST) {
        io_failure("cannot link into place", path, err);
    }
    std::optional<std::string> winner = read_existing(path);
    if (!winner) {
        throw std::runtime_error(path + " vanished while it was being created");
    }
    return std::move(*winner);
}

std::string ensure_file(
    const std::string& directory, const std::string& path, const std::function<std::string()>& make
) {
    if (std::optional<std::string> existing = read_existing(path)) {
        return std::move(*existing);
    }
    return publish(directory, path, make());
}

// The key's serial: sha256 over the SubjectPublicKeyInfo DER, first 40 hex digits, upper case
// (the shape of a real certificate serial, so the same code paths handle both).
std::string serial_of(const std::string& public_pem) {
    const std::size_t begin = public_pem.find(kPublicPemBegin);
    const std::size_t end = public_pem.find(kPublicPemEnd);
    if (begin == std::string::npos || end == std::string::npos || end < begin) {
        throw std::runtime_error("unexpected public key PEM layout");
    }
    std::string body;
    for (std::size_t i = begin + kPublicPemBegin.size(); i < end; ++i) {
        if (public_pem[i] != '\n' && public_pem[i] != '\r') {
            body += public_pem[i];
        }
    }
    const std::optional<std::string> der = base64_decode(body);
    if (!der) {
        throw std::runtime_error("unexpected public key PEM encoding");
    }
    std::string serial = sha256_hex(*der).substr(0, kSerialLength);
    for (char& c : serial) {
        if (c >= 'a' && c <= 'f') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return serial;
}

// The private key first, then the public half derived from it: two racing processes derive the
// same public PEM from whichever private key won, so the pair always matches.
std::string ensure_rsa_pair(
    const std::string& directory, const std::string& private_path, const std::string& public_path
) {
    const std::string private_pem =
        ensure_file(directory, private_path, [] { return RsaKey::generate().private_pem(); });
    std::string derived;
    try {
        derived = RsaKey::private_from_pem(private_pem).public_pem();
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(private_path + ": " + e.what());
    }
    const std::string public_pem = ensure_file(directory, public_path, [&] { return derived; });
    std::string stored;
    try {
        stored = RsaKey::public_from_pem(public_pem).public_pem();
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(public_path + ": " + e.what());
    }
    if (stored != derived) {
        throw std::runtime_error(public_path + " does not belong to " + private_path);
    }
    return serial_of(derived);
}

std::string ensure_symmetric_key(const std::string& directory, const std::string& path) {
    std::string key = ensure_file(directory, path, [] { return random_nonce(kSymmetricKeyLength) + "\n"; });
    if (!key.empty() && key.back() == '\n') {
        key.pop_back();
    }
    bool valid = key.size() == kSymmetricKeyLength;
    for (const char c : key) {
        valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    }
    if (!valid) {
        throw std::runtime_error(path + " does not hold a 32-character [A-Za-z0-9] key");
    }
    return key;
}

}  // namespace

DevKeyFiles ensure_dev_keys(const std::string& directory) {
    ensure_directory(directory);
    const fs::path dir(directory);
    DevKeyFiles files;
    files.merchant_private_key = (dir / "merchant_key.pem").string();
    files.merchant_public_key = (dir / "merchant_public.pem").string();
    files.platform_private_key = (dir / "platform_key.pem").string();
    files.platform_public_key = (dir / "platform_public.pem").string();
    files.merchant_serial_no = ensure_rsa_pair(directory, files.merchant_private_key, files.merchant_public_key);
    files.platform_serial_no = ensure_rsa_pair(directory, files.platform_private_key, files.platform_public_key);
    files.api_v3_key = ensure_symmetric_key(directory, (dir / "apiv3.key").string());
    files.api_v2_key = ensure_symmetric_key(directory, (dir / "apiv2.key").string());
    return files;
}

}  // namespace gomall::wechatpay
