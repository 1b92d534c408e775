// CSV output per RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): a field is written as is unless
// it holds a comma, a double quote, CR or LF; then it is enclosed in double quotes and each double
// quote inside is doubled ("leaf,\"A\"" becomes "\"leaf,\"\"A\"\"\""). The first row names the
// columns.
//
// Records end in LF, not the CRLF of RFC 4180 section 2.1: LF is the common variant that the RFC's
// own MIME registration acknowledges (section 3, "implementations ... may vary"), every CSV reader
// we know of (Python's csv, pandas, R, spreadsheets) accepts it, and it keeps the files that
// clustertwin wrote before this writer byte-identical. A line break inside a field is still quoted,
// so a record boundary is never ambiguous.
//
// Numbers print as fmt's "{}" does (the shortest text that reads back to the same double), the
// format of every CSV clustertwin has written; a number never needs quoting.
#pragma once

#include <cassert>
#include <concepts>
#include <cstddef>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

namespace twin {

// One field as RFC 4180 wants it: as is, or quoted with inner quotes doubled.
[[nodiscard]] std::string csv_field(std::string_view text);

// A CSV document built row by row: the header row first, then rows of exactly as many fields.
class CsvWriter {
public:
    explicit CsvWriter(std::initializer_list<std::string_view> columns);

    // One record; text fields (anything convertible to std::string_view) are quoted as needed,
    // numbers printed as fmt's "{}".
    template <typename... Fields>
    void row(const Fields&... fields) {
        assert(sizeof...(Fields) == columns_); // a programmer error, not bad input
        std::size_t i = 0;
        ((append(fields, i++)), ...);
        out_ += '\n';
    }

    [[nodiscard]] const std::string& str() const { return out_; }
    // The text so far, handed to `sink` and dropped (for documents streamed in chunks).
    template <typename Sink>
    void drain(Sink&& sink) {
        sink(std::string_view(out_));
        out_.clear();
    }

private:
    template <typename T>
    void append(const T& value, std::size_t index) {
        if (index > 0) {
            out_ += ',';
        }
        if constexpr (std::convertible_to<const T&, std::string_view>) {
            append_text(std::string_view(value));
        } else {
            static_assert(std::is_arithmetic_v<T> && !std::same_as<T, bool>, "a CSV field is text or a number");
            // Formatted into a stack buffer with the format compiled: the same text as "{}" at a
            // fraction of the cost of a runtime format string and a back_inserter (a million-GPU
            // links.csv has 64 M numbers). 64 chars hold any number: the longest double,
            // "-2.2250738585072014e-308", takes 24 and a 64-bit integer 20.
            char buffer[64];
            const char* end = fmt::format_to(buffer, FMT_COMPILE("{}"), value);
            out_.append(buffer, static_cast<std::size_t>(end - buffer));
        }
    }

    void append_text(std::string_view text);

    std::size_t columns_ = 0;
    std::string out_;
};

} // namespace twin
