// When clustertwin re-executes itself for transparent huge pages (tools/huge_pages.hpp), and that
// it runs the same either way.
#include "huge_pages.hpp"

#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>
#include <string>

namespace twin::test {
namespace {

using cli::huge_page_tunables;

TEST(HugePages, OnlyWhenTheKernelWantsMadvise) {
    EXPECT_EQ(huge_page_tunables("always [madvise] never\n", nullptr, nullptr), "glibc.malloc.hugetlb=1");
    EXPECT_EQ(huge_page_tunables("[always] madvise never\n", nullptr, nullptr), std::nullopt); // already
    EXPECT_EQ(huge_page_tunables("always madvise [never]\n", nullptr, nullptr), std::nullopt);
    EXPECT_EQ(huge_page_tunables("", nullptr, nullptr), std::nullopt); // no THP in this kernel
}

TEST(HugePages, OtherTunablesAreKeptAndAChoiceMadeIsLeft) {
    const std::string_view madvise = "always [madvise] never";
    EXPECT_EQ(huge_page_tunables(madvise, "glibc.malloc.arena_max=1", nullptr),
              "glibc.malloc.arena_max=1:glibc.malloc.hugetlb=1");
    EXPECT_EQ(huge_page_tunables(madvise, "", nullptr), "glibc.malloc.hugetlb=1");
    EXPECT_EQ(huge_page_tunables(madvise, "glibc.malloc.hugetlb=0", nullptr), std::nullopt); // the user's
    EXPECT_EQ(huge_page_tunables(madvise, "glibc.malloc.hugetlb=1", nullptr), std::nullopt); // re-executed
}

TEST(HugePages, TwinHugePagesZeroTurnsItOff) {
    const std::string_view madvise = "always [madvise] never";
    EXPECT_EQ(huge_page_tunables(madvise, nullptr, "0"), std::nullopt);
    EXPECT_EQ(huge_page_tunables(madvise, nullptr, "1"), "glibc.malloc.hugetlb=1");
}

std::string run(const std::string& env) {
    std::string out;
    FILE* p = popen((env + " " CLUSTERTWIN_EXE " --version 2>&1").c_str(), "r");
    if (p == nullptr) {
        return "popen failed";
    }
    char buffer[256];
    while (fgets(buffer, sizeof buffer, p) != nullptr) {
        out += buffer;
    }
    const int status = pclose(p);
    return status == 0 ? out : "exit " + std::to_string(status) + ": " + out;
}

TEST(HugePages, TheCliRunsTheSameWithAndWithout) {
    const auto plain = run("");
    EXPECT_NE(plain.find("clustertwin "), std::string::npos) << plain;
    EXPECT_EQ(run("TWIN_HUGE_PAGES=0"), plain);
    EXPECT_EQ(run("GLIBC_TUNABLES=glibc.malloc.arena_max=2"), plain);
    EXPECT_EQ(run("GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), plain);
}

} // namespace
} // namespace twin::test
