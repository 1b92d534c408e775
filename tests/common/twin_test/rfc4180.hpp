// A strict RFC 4180 reader for tests (https://www.rfc-editor.org/rfc/rfc4180): a field is bare
// (no '"', CR or LF; no comma) or quoted ('"' ... '"' with '""' for a quote inside, anything else
// allowed); after a closing quote comes a comma or the end of the record. Records end in LF or
// CRLF (clustertwin writes LF, twin/core/csv.hpp says why); the last one must end too. Anything
// else throws std::runtime_error naming the byte offset, so a test sees a malformed file at once.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace twin::test {

inline std::vector<std::vector<std::string>> parse_rfc4180(std::string_view text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::size_t i = 0;
    const auto fail = [&](const std::string& what) {
        throw std::runtime_error("not RFC 4180 at byte " + std::to_string(i) + ": " + what);
    };
    while (i < text.size()) {
        std::string field;
        if (text[i] == '"') {
            ++i;
            for (;;) {
                if (i >= text.size()) {
                    fail("unterminated quoted field");
                }
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i++];
            }
        } else {
            while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                if (text[i] == '"') {
                    fail("a quote inside an unquoted field");
                }
                field += text[i++];
            }
        }
        row.push_back(std::move(field));
        if (i >= text.size()) {
            fail("the last record does not end in a line break");
        }
        if (text[i] == ',') {
            ++i;
            if (i >= text.size()) {
                fail("a comma at the end of the file");
            }
            continue;
        }
        if (text[i] == '\r') {
            ++i;
            if (i >= text.size() || text[i] != '\n') {
                fail("CR not followed by LF outside quotes");
            }
        }
        if (text[i] != '\n') {
            fail("a closing quote not followed by a comma or a line break");
        }
        ++i;
        rows.push_back(std::move(row));
        row.clear();
    }
    return rows;
}

} // namespace twin::test
