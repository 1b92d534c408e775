// RFC 4180 CSV writer (twin/core/csv.hpp).
#include "twin/core/csv.hpp"

namespace twin {

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
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
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
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
