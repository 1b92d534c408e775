// OutputSet::add_streamed (twin/core/output_set.hpp): a file written in chunks reads back as their
// concatenation, and a producer that fails half-way leaves the previous set whole, with no partial
// file anywhere beside it.
#include "twin/core/output_set.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace twin {
namespace {

namespace fs = std::filesystem;

const OutputOrigin kOrigin{"s.json", "/run/output_dir"};
const std::vector<std::string> kNames{"report.json", "links.csv"};

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class OutputSetStreamTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("twin_output_stream_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        out_ = dir_ / "out";
    }
    void TearDown() override { fs::remove_all(dir_); }

    [[nodiscard]] std::size_t entries_beside() const {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) {
            ++n;
        }
        return n;
    }

    fs::path dir_;
    fs::path out_;
};

TEST_F(OutputSetStreamTest, ChunksAreWrittenInOrder) {
    OutputSet set(out_, kOrigin, kNames);
    // 1,000 rows "i,i*i\n" in chunks of 7 rows and a last short one: 1,000 = 142 x 7 + 6.
    std::string expected;
    const auto path = set.add_streamed("links.csv", [&](const OutputSet::Chunks& write) {
        std::string chunk;
        for (int i = 0; i < 1000; ++i) {
            chunk += std::to_string(i) + "," + std::to_string(i * i) + "\n";
            if (i % 7 == 6) {
                write(chunk);
                expected += chunk;
                chunk.clear();
            }
        }
        write(chunk);
        expected += chunk;
        write(""); // an empty chunk writes nothing
    });
    EXPECT_EQ(path, out_ / "links.csv");
    EXPECT_FALSE(fs::exists(out_)); // nothing visible before the swap
    set.add("report.json", "{}\n");
    set.commit();
    EXPECT_EQ(read_text(out_ / "links.csv"), expected);
    EXPECT_EQ(read_text(out_ / "links.csv").substr(0, 10), "0,0\n1,1\n2,");
    EXPECT_EQ(read_text(out_ / "report.json"), "{}\n");
}

TEST_F(OutputSetStreamTest, AProducerThatFailsLeavesThePreviousSetWhole) {
    {
        OutputSet set(out_, kOrigin, kNames);
        set.add("links.csv", "old links\n");
        set.commit();
    }
    try {
        OutputSet set(out_, kOrigin, kNames);
        set.add_streamed("links.csv", [](const OutputSet::Chunks& write) {
            write("new links, first half\n");
            throw std::runtime_error("out of memory half-way");
        });
        set.commit();
        ADD_FAILURE() << "the producer's exception did not propagate";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "out of memory half-way");
    }
    EXPECT_EQ(read_text(out_ / "links.csv"), "old links\n");
    EXPECT_EQ(entries_beside(), 1U); // the temporary folder with the half file is gone
}

TEST_F(OutputSetStreamTest, OnlyTheSetsFileNames) {
    OutputSet set(out_, kOrigin, kNames);
    EXPECT_THROW(set.add_streamed("other.csv", [](const OutputSet::Chunks&) {}), std::logic_error);
    EXPECT_THROW(set.add_streamed("../links.csv", [](const OutputSet::Chunks&) {}), std::logic_error);
}

} // namespace
} // namespace twin
