// Transparent huge pages for clustertwin's heap.
//
// A million-GPU run touches ~3 GB of fresh memory; in 4 KiB pages that is ~780,000 page faults,
// a sixth of its CPU time on a virtual machine (the fault path is the hottest kernel symbol in
// `perf`). glibc's malloc backs its heap with transparent huge pages (2 MiB) when the tunable
// glibc.malloc.hugetlb=1 is set (glibc >= 2.35, "Memory Allocation Tunables" in the glibc
// manual); the same run then takes ~23,000 faults and ~4 % more peak memory. Tunables are read
// only when a process starts, so main() re-executes clustertwin once with the tunable added,
// when the kernel's THP mode is "madvise" (Debian 12's default: with "always" the kernel already
// does it, with "never" there is nothing to gain) and TWIN_HUGE_PAGES is not "0".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace twin::cli {

// The GLIBC_TUNABLES value to re-execute with, or nothing when nothing is to change.
// `thp_mode`: the text of /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never");
// `tunables`, `opt_out`: GLIBC_TUNABLES and TWIN_HUGE_PAGES as the environment has them (null:
// unset). A GLIBC_TUNABLES that names glibc.malloc.hugetlb already is left as it is (the user's
// choice, or this process after its re-execution).
[[nodiscard]] std::optional<std::string> huge_page_tunables(std::string_view thp_mode, const char* tunables,
                                                            const char* opt_out);

// Re-executes this process (/proc/self/exe, the same arguments) with huge_page_tunables() when
// it gives a value; returns only when it does not, or when the re-execution fails (the run then
// goes on with 4 KiB pages). Call it first in main().
void use_huge_pages(char** argv);

} // namespace twin::cli
