// Results that appear whole or not at all.
//
// An OutputSet is a folder of result files (report.json, links.csv, ...) that replaces the previous
// set in one step. The files are written into a fresh temporary folder beside the output folder
// (".<folder>.tmp-XXXXXX", created with mkdir, so never an existing path), each file created with
// O_CREAT|O_EXCL|O_NOFOLLOW and fsynced, the temporary folder fsynced, and then swapped in with one
// rename: renameat2(RENAME_EXCHANGE) when the folder exists (the old set, now under the temporary
// name, is then deleted), renameat2(RENAME_NOREPLACE) when it does not; the parent is fsynced last.
//
// Guarantees: a reader of the output folder finds either the previous complete set or the new
// complete set, never a mix, also when runs are killed at any point or several runs write into one
// folder at once (the last swap wins, whole). Symbolic links are never followed at the output folder
// or inside it; a symbolic link or a file where the folder should be is an error, and so is an
// existing folder holding anything but files of this set (so `-o ~` cannot replace a home folder;
// "<file>.partial" leftovers of older versions count as the set's).
// A failed write removes its temporary folder; a killed run's temporary folder is removed by the
// next write beside it (each writer holds an flock on its folder, so only abandoned ones go).
// Parent folders of the output folder are created when missing (and may be symbolic links).
//
// Errors are InputError naming `origin` (the scenario file and "/run/output_dir", or "command line"
// and the option), so the front end prints one line and exits 2.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace twin {

// Where an output path came from, for error messages: {"s.json", "/run/output_dir"} or
// {"command line", "--out"}.
struct OutputOrigin {
    std::string file;
    std::string pointer;
};

class OutputSet {
public:
    // Creates the temporary folder beside `folder` (and folder's missing parents), so a bad output
    // folder is reported before a long run. `file_names` are the files of a set: an existing folder
    // may hold only these (any subset) to be replaced. What is at `folder` is checked now and again
    // just before the swap.
    OutputSet(std::filesystem::path folder, OutputOrigin origin, std::vector<std::string> file_names);
    ~OutputSet(); // removes the temporary folder unless commit() succeeded
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;

    // Writes one file of the set (one of `file_names`), fsynced. Returns its final path.
    std::filesystem::path add(const std::string& name, std::string_view text);
    // The same, for a file too large to hold as one string (links.csv of a million GPUs: 2 GB):
    // `produce` hands the text to its argument in chunks, written as they come. If `produce`
    // throws, the exception propagates and the set is not committed, so no reader ever sees the
    // partial file (output_set_stream.cpp).
    using Chunks = std::function<void(std::string_view)>;
    std::filesystem::path add_streamed(const std::string& name, const std::function<void(const Chunks&)>& produce);
    // Swaps the set in. The object is spent afterwards.
    void commit();

    [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }
    // The temporary folder (for tests).
    [[nodiscard]] std::filesystem::path temporary() const { return parent_ / temp_name_; }

private:
    [[noreturn]] void fail(const std::string& message) const;
    void check_replaceable() const;
    bool swap_in(); // true when the previous set now lies under the temporary name
    void remove_temporary() noexcept;

    std::filesystem::path folder_;
    std::filesystem::path parent_;
    std::string name_;
    OutputOrigin origin_;
    std::string temp_name_;
    std::vector<std::string> names_;
    int parent_fd_ = -1;
    int temp_fd_ = -1;
    bool committed_ = false;
};

// Writes one file so that a reader sees the old or the new content, never a part: a unique
// temporary file in the same folder (O_CREAT|O_EXCL|O_NOFOLLOW), fsync, rename, fsync of the
// folder. Refuses a path that names a folder ("." or "out/"), a symbolic link, or a file whose
// folder does not exist. Errors are InputError naming `origin`.
void write_file_atomically(const std::filesystem::path& path, std::string_view text, const OutputOrigin& origin);

// The prefix of the temporary names used beside `name` (".<name>.tmp-"); exposed for tests.
[[nodiscard]] std::string temporary_prefix(const std::string& name);

} // namespace twin
