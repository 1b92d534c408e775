// RFC 4180 CSV writer (twin/core/csv.hpp).
#include "twin/core/csv.hpp"

#include <algorithm>

namespace twin {

namespace {

// Whether the text needs quoting. A plain loop: find_first_of calls memchr per character.
bool needs_quotes(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
}

} // namespace

std::string csv_field(std::string_view text) {
    if (!needs_quotes(text)) {
        return std::string(text);
    }
    std::string out = "\"";
    for (const char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

void CsvWriter::append_text(std::string_view text) {
    if (!needs_quotes(text)) {
        out_ += text; // the common case, without a temporary string
    } else {
        out_ += csv_field(text);
    }
}

CsvWriter::CsvWriter(std::initializer_list<std::string_view> columns) : columns_(columns.size()) {
    std::size_t i = 0;
    for (const auto c : columns) {
        append(c, i++);
    }
    out_ += '\n';
}

} // namespace twin
