#include "twin/core/output_set.hpp"

#include "output_set_detail.hpp"
#include "twin/core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace twin {

namespace detail {

std::string shown(const std::filesystem::path& p) {
    return nlohmann::json(p.string()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace detail

namespace {

using detail::shown;

constexpr int kSuffixLength = 6;
constexpr std::string_view kSuffixAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string errno_text(int e) {
    return std::strerror(e);
}

// Closes a descriptor when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_;
};

// Drawn from the system's entropy on every call: a generator seeded once would repeat its names
// in processes forked after it was used, and writers that share names remove each other's folders.
std::string random_suffix() {
    std::random_device entropy;
    std::uniform_int_distribution<std::size_t> pick(0, kSuffixAlphabet.size() - 1);
    std::string s;
    for (int i = 0; i < kSuffixLength; ++i) {
        s += kSuffixAlphabet[pick(entropy)];
    }
    return s;
}

bool is_temporary_name(const std::string& entry, const std::string& prefix) {
    return entry.size() == prefix.size() + kSuffixLength && entry.compare(0, prefix.size(), prefix) == 0 &&
           std::all_of(entry.begin() + static_cast<std::ptrdiff_t>(prefix.size()), entry.end(),
                       [](char c) { return kSuffixAlphabet.find(c) != std::string_view::npos; });
}

bool same_entry(int parent_fd, const std::string& name, int fd) {
    struct stat by_name {};
    struct stat by_fd {};
    return ::fstatat(parent_fd, name.c_str(), &by_name, AT_SYMLINK_NOFOLLOW) == 0 && ::fstat(fd, &by_fd) == 0 &&
           by_name.st_dev == by_fd.st_dev && by_name.st_ino == by_fd.st_ino;
}

// Creates a fresh temporary entry `prefix + XXXXXX` in `parent_fd` (a folder, or an empty file opened
// for writing) and holds an exclusive flock on it while it lives, so remove_abandoned() of another
// writer leaves it alone. Returns the descriptor and sets `name`; -1 with errno on failure.
int create_locked(int parent_fd, const std::string& prefix, bool folder, std::string& name) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        name = prefix + random_suffix();
        Fd fd;
        if (folder) {
            if (::mkdirat(parent_fd, name.c_str(), 0777) != 0) {
                if (errno == EEXIST) {
                    continue;
                }
                return -1;
            }
            fd.reset(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        } else {
            fd.reset(::openat(parent_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
            if (fd.get() < 0 && errno == EEXIST) {
                continue;
            }
        }
        if (fd.get() < 0) {
            if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
                continue; // removed or replaced by someone else between create and open
            }
            return -1;
        }
        // Another writer may have taken it for abandoned between create and lock: then it is theirs
        // to delete, and we try a new name.
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 || !same_entry(parent_fd, name, fd.get())) {
            continue;
        }
        return fd.release();
    }
    errno = EEXIST;
    return -1;
}

void remove_entry(const std::filesystem::path& parent, const std::string& name) noexcept {
    std::error_code ec;
    std::filesystem::remove_all(parent / name, ec); // never follows symbolic links
}

// Removes the temporary entries beside `name` that no live writer holds (left by killed runs).
void remove_abandoned(int parent_fd, const std::filesystem::path& parent, const std::string& name) {
    const std::string prefix = temporary_prefix(name);
    Fd dup_fd(::openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* dir = dup_fd.get() >= 0 ? ::fdopendir(dup_fd.get()) : nullptr;
    if (dir == nullptr) {
        return;
    }
    dup_fd.release();
    std::vector<std::string> candidates;
    while (const dirent* e = ::readdir(dir)) {
        if (is_temporary_name(e->d_name, prefix)) {
            candidates.emplace_back(e->d_name);
        }
    }
    ::closedir(dir);
    for (const auto& c : candidates) {
        Fd fd(::openat(parent_fd, c.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        if (fd.get() >= 0 && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0 && same_entry(parent_fd, c, fd.get())) {
            remove_entry(parent, c);
        }
    }
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::system_error(errno, std::generic_category());
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(fd) != 0) {
        throw std::system_error(errno, std::generic_category());
    }
}

// The folder part and the last name of an output path; "out/" is "out".
std::pair<std::filesystem::path, std::string> split(const std::filesystem::path& path) {
    auto p = path.lexically_normal();
    if (p.has_filename() == false && p.has_parent_path() && p != p.root_path()) {
        p = p.parent_path();
    }
    auto parent = p.parent_path();
    return {parent.empty() ? std::filesystem::path(".") : parent, p.filename().string()};
}

} // namespace

std::string temporary_prefix(const std::string& name) {
    return "." + name + ".tmp-";
}

OutputSet::OutputSet(std::filesystem::path folder, OutputOrigin origin, std::vector<std::string> file_names)
    : folder_(std::move(folder)), origin_(std::move(origin)), names_(std::move(file_names)) {
    auto [parent, name] = split(folder_);
    parent_ = parent;
    name_ = name;
    if (name_.empty() || name_ == "." || name_ == "..") {
        fail(shown(folder_) + " names no folder that can be replaced as a whole; give a folder name such as "
                              "results/run1");
    }
    std::error_code ec;
    std::filesystem::create_directories(parent_, ec);
    if (ec) {
        fail("cannot create the folder " + shown(parent_) + ": " + ec.message());
    }
    parent_fd_ = ::open(parent_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent_fd_ < 0) {
        fail("cannot open the folder " + shown(parent_) + ": " + errno_text(errno));
    }
    check_replaceable();
    remove_abandoned(parent_fd_, parent_, name_);
    temp_fd_ = create_locked(parent_fd_, temporary_prefix(name_), true, temp_name_);
    if (temp_fd_ < 0) {
        const int e = errno;
        ::close(parent_fd_);
        parent_fd_ = -1;
        fail("cannot create a temporary folder in " + shown(parent_) + ": " + errno_text(e));
    }
}

OutputSet::~OutputSet() {
    if (!committed_) {
        remove_temporary();
    }
    if (temp_fd_ >= 0) {
        ::close(temp_fd_);
    }
    if (parent_fd_ >= 0) {
        ::close(parent_fd_);
    }
}

void OutputSet::fail(const std::string& message) const {
    throw InputError(origin_.file, origin_.pointer, message);
}

void OutputSet::check_replaceable() const {
    struct stat st {};
    if (::fstatat(parent_fd_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            return;
        }
        fail("cannot inspect " + shown(folder_) + ": " + errno_text(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        fail(shown(folder_) + " is a symbolic link; results are written only into a real folder");
    }
    if (!S_ISDIR(st.st_mode)) {
        fail(shown(folder_) + " exists and is not a folder");
    }
    Fd fd(::openat(parent_fd_, name_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    DIR* dir = fd.get() >= 0 ? ::fdopendir(fd.get()) : nullptr;
    if (dir == nullptr) {
        if (errno == ENOENT) {
            return; // replaced by another run's swap in between; checked again before ours
        }
        fail("cannot read the folder " + shown(folder_) + ": " + errno_text(errno));
    }
    const int dir_fd = fd.release();
    std::string foreign;
    while (const dirent* e = ::readdir(dir)) {
        const std::string entry = e->d_name;
        if (entry == "." || entry == "..") {
            continue;
        }
        struct stat est {};
        // "<file>.partial" was the temporary name of each file before result sets existed.
        const std::string base = entry.ends_with(".partial") ? entry.substr(0, entry.size() - 8) : entry;
        const bool known = std::find(names_.begin(), names_.end(), base) != names_.end();
        if (!known || (::fstatat(dir_fd, entry.c_str(), &est, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(est.st_mode))) {
            foreign = entry;
            break;
        }
    }
    ::closedir(dir);
    if (!foreign.empty()) {
        fail(shown(folder_) + " holds " + shown(foreign) +
             ", which is not part of a result set; it is replaced as a whole, so choose another folder or empty it");
    }
}

void OutputSet::commit() {
    if (committed_ || temp_fd_ < 0) {
        throw std::logic_error("OutputSet::commit called twice");
    }
    if (::fsync(temp_fd_) != 0) {
        fail("cannot write " + shown(folder_) + ": " + errno_text(errno));
    }
    const bool exchanged = swap_in();
    committed_ = true;
    ::fsync(parent_fd_);
    if (exchanged) {
        remove_entry(parent_, temp_name_); // the previous set now lies under the temporary name
    }
    ::close(temp_fd_);
    temp_fd_ = -1;
}

bool OutputSet::swap_in() {
    // Another run may create, replace or remove the folder between our check and our rename: each
    // rename is atomic and fails instead of clobbering, so retry with the right kind.
    for (int attempt = 0; attempt < 1000; ++attempt) {
        check_replaceable();
        const char* from = temp_name_.c_str();
        const char* to = name_.c_str();
        if (::renameat2(parent_fd_, from, parent_fd_, to, RENAME_NOREPLACE) == 0) {
            return false;
        }
        if (errno == EEXIST || errno == ENOTEMPTY) {
            if (::renameat2(parent_fd_, from, parent_fd_, to, RENAME_EXCHANGE) == 0) {
                return true;
            }
            if (errno == ENOENT) {
                continue; // removed in between
            }
        }
        if (errno == EINVAL) {
            // The file system has no renameat2 flags: move the old set aside, then rename.
            std::string aside;
            Fd lock(create_locked(parent_fd_, temporary_prefix(name_), true, aside));
            if (lock.get() >= 0 && ::renameat(parent_fd_, to, parent_fd_, aside.c_str()) != 0 && errno != ENOENT) {
                remove_entry(parent_, aside);
                fail("cannot replace " + shown(folder_) + ": " + errno_text(errno));
            }
            if (::renameat(parent_fd_, from, parent_fd_, to) == 0) {
                remove_entry(parent_, aside);
                return false;
            }
            if (errno == EEXIST || errno == ENOTEMPTY) {
                continue;
            }
        }
        fail("cannot move the results into " + shown(folder_) + ": " + errno_text(errno));
    }
    fail("cannot move the results into " + shown(folder_) + ": it keeps changing under concurrent runs");
}

void OutputSet::remove_temporary() noexcept {
    if (!temp_name_.empty() && temp_fd_ >= 0 && same_entry(parent_fd_, temp_name_, temp_fd_)) {
        remove_entry(parent_, temp_name_);
    }
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text, const OutputOrigin& origin) {
    const auto fail = [&](const std::string& message) { throw InputError(origin.file, origin.pointer, message); };
    const auto [parent, name] = split(path);
    const bool names_folder = path.lexically_normal().has_filename() == false;
    if (name.empty() || name == "." || name == ".." || names_folder) {
        fail(shown(path) + " names a folder; give a file name");
    }
    Fd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (parent_fd.get() < 0) {
        fail(errno == ENOENT ? "the folder " + shown(parent) + " does not exist"
                             : "cannot open the folder " + shown(parent) + ": " + errno_text(errno));
    }
    struct stat st {};
    if (::fstatat(parent_fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            fail(shown(path) + " is a symbolic link; it is not followed or replaced");
        }
        if (S_ISDIR(st.st_mode)) {
            fail(shown(path) + " is a folder; give a file name");
        }
        if (!S_ISREG(st.st_mode)) {
            fail(shown(path) + " exists and is not a regular file");
        }
    }
    remove_abandoned(parent_fd.get(), parent, name);
    std::string temp;
    Fd fd(create_locked(parent_fd.get(), temporary_prefix(name), false, temp));
    if (fd.get() < 0) {
        fail("cannot create a temporary file in " + shown(parent) + ": " + errno_text(errno));
    }
    int error = 0;
    try {
        write_all(fd.get(), text);
    } catch (const std::system_error& e) {
        error = e.code().value();
    }
    if (error == 0 && ::renameat(parent_fd.get(), temp.c_str(), parent_fd.get(), name.c_str()) != 0) {
        error = errno;
    }
    if (error != 0) {
        ::unlinkat(parent_fd.get(), temp.c_str(), 0);
        fail("cannot write " + shown(path) + ": " + errno_text(error));
    }
    ::fsync(parent_fd.get());
}

} // namespace twin
