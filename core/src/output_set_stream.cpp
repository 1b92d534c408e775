// Writing one file of an OutputSet (output_set.hpp), whole or in chunks. The file is created in
// the set's temporary folder (O_CREAT|O_EXCL|O_NOFOLLOW), each chunk written as it comes, and the
// file fsynced once at the end; nothing of it is visible at the output folder before commit(), so
// a producer that throws half-way (or a run killed while streaming) leaves no partial file behind
// as complete: the temporary folder is removed by the destructor (or by the next writer).
#include "output_set_detail.hpp"
#include "twin/core/output_set.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace twin {

std::filesystem::path OutputSet::add(const std::string& name, std::string_view text) {
    return add_streamed(name, [&](const Chunks& write) { write(text); });
}

std::filesystem::path OutputSet::add_streamed(const std::string& name,
                                              const std::function<void(const Chunks&)>& produce) {
    if (std::find(names_.begin(), names_.end(), name) == names_.end() || name.find('/') != std::string::npos) {
        throw std::logic_error("OutputSet::add: \"" + name + "\" is not one of the set's file names");
    }
    if (committed_ || temp_fd_ < 0) {
        throw std::logic_error("OutputSet::add after commit");
    }
    const auto target = folder_ / name;
    const auto cannot_write = [&](int e) { fail("cannot write " + detail::shown(target) + ": " + std::strerror(e)); };
    const int fd = ::openat(temp_fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        cannot_write(errno);
    }
    struct Closer {
        int fd;
        ~Closer() {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    } closer{fd};
    const Chunks write = [&](std::string_view text) {
        while (!text.empty()) {
            const ssize_t n = ::write(fd, text.data(), text.size());
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                cannot_write(errno);
            }
            text.remove_prefix(static_cast<std::size_t>(n));
        }
    };
    produce(write);
    if (::fsync(fd) != 0) {
        cannot_write(errno);
    }
    closer.fd = -1;
    if (::close(fd) != 0) {
        cannot_write(errno);
    }
    return target;
}

} // namespace twin
