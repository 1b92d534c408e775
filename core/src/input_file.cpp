#include "twin/core/input_file.hpp"

#include "twin/core/error.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace twin {
namespace {

std::atomic<std::uint64_t> g_max_bytes{kDefaultMaxInputFileBytes};

// Closes the descriptor on every path out.
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
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

std::string size_text(std::uint64_t bytes) {
    return bytes >= (1ULL << 20U) ? fmt::format("{} MiB", bytes >> 20U) : fmt::format("{} bytes", bytes);
}

} // namespace

std::uint64_t max_input_file_bytes() {
    return g_max_bytes.load();
}

void set_max_input_file_bytes(std::uint64_t bytes) {
    g_max_bytes.store(bytes);
}

std::string missing_reason(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        return "";
    }
    return errno == ENOENT ? std::string("does not exist") : fmt::format("cannot be read: {}", std::strerror(errno));
}

std::string read_input_file(const std::filesystem::path& path) {
    const std::string name = path.string();
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait forever (the check below
    // then refuses it). It has no effect on reading a regular file.
    const Fd fd(::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        throw InputError(name, "", fmt::format("cannot open file: {}", std::strerror(errno)));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        throw InputError(name, "", fmt::format("cannot read file: {}", std::strerror(errno)));
    }
    if (!S_ISREG(st.st_mode)) {
        throw InputError(name, "",
                         S_ISDIR(st.st_mode) ? "is a directory, expected a file"
                                             : "is not a regular file (a device, FIFO or socket)");
    }
    const std::uint64_t limit = max_input_file_bytes();
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > limit) {
        throw InputError(
            name, "", fmt::format("file is {}, larger than the input limit of {}", size_text(size), size_text(limit)));
    }
    std::string text;
    text.reserve(size);
    char buf[1U << 16U];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw InputError(name, "", fmt::format("cannot read file: {}", std::strerror(errno)));
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > limit) { // the file grew while being read
            throw InputError(name, "", fmt::format("file is larger than the input limit of {}", size_text(limit)));
        }
    }
    return text;
}

} // namespace twin
