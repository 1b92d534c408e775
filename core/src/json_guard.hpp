// Guards nlohmann's parser while it builds a document (its parser callback): refuses nesting deeper
// than kMaxJsonDepth and duplicate keys in one object, and always knows the JSON pointer of the value
// being parsed, so that an error raised by the parser itself (a number that overflows a double,
// "1e400") can name where it is. Private to core: Document::parse is the only user.
//
// Why a depth limit: everything that walks a document recursively (dump(), copies, the loaders'
// nested blocks) would overflow the stack on a ~100 KB file of nested brackets.
#pragma once

#include "twin/core/json_reader.hpp"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

namespace twin {

class ParseGuard {
public:
    // Thrown out of the parser (through nlohmann's callback) when the document is refused.
    struct Refused {
        std::string pointer;
        std::string message;
    };

    // nlohmann's parser callback: returns true (keep every value) or throws Refused.
    bool on_event(nlohmann::json::parse_event_t event, const nlohmann::json& parsed);

    // The pointer of the value being parsed now ("" for the root).
    [[nodiscard]] std::string pointer() const;

private:
    struct Frame {
        bool object = false;
        std::unordered_set<std::string> keys; // objects: keys seen so far
        std::string key;                      // objects: the key of the member being parsed
        std::size_t index = 0;                // arrays: the index of the element being parsed
    };
    void element_done();

    std::vector<Frame> frames_;
};

} // namespace twin
