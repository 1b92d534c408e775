// Transparent huge pages for the heap (huge_pages.hpp).
#include "huge_pages.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace twin::cli {

std::optional<std::string> huge_page_tunables(std::string_view thp_mode, const char* tunables, const char* opt_out) {
    constexpr std::string_view kTunable = "glibc.malloc.hugetlb";
    if (opt_out != nullptr && std::string_view(opt_out) == "0") {
        return std::nullopt;
    }
    if (thp_mode.find("[madvise]") == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view current = tunables != nullptr ? tunables : "";
    if (current.find(kTunable) != std::string_view::npos) {
        return std::nullopt;
    }
    std::string value(current);
    if (!value.empty()) {
        value += ':';
    }
    value += kTunable;
    value += "=1";
    return value;
}

void use_huge_pages(char** argv) {
    std::ifstream file("/sys/kernel/mm/transparent_hugepage/enabled");
    const std::string mode((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto tunables = huge_page_tunables(mode, std::getenv("GLIBC_TUNABLES"), std::getenv("TWIN_HUGE_PAGES"));
    if (!tunables || setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) {
        return;
    }
    execv("/proc/self/exe", argv);
    // Only on failure: go on as we are (the tunable stays in the environment: harmless).
}

} // namespace twin::cli
