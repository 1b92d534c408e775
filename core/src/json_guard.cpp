#include "json_guard.hpp"

#include <fmt/format.h>

namespace twin {

using Event = nlohmann::json::parse_event_t;

bool ParseGuard::on_event(Event event, const nlohmann::json& parsed) {
    switch (event) {
    case Event::object_start:
    case Event::array_start:
        if (frames_.size() >= kMaxJsonDepth) {
            throw Refused{pointer(), fmt::format("nesting deeper than {} levels", kMaxJsonDepth)};
        }
        frames_.push_back(Frame{event == Event::object_start, {}, {}, 0});
        break;
    case Event::key: {
        Frame& f = frames_.back();
        const auto& key = parsed.get_ref<const std::string&>();
        if (!f.keys.insert(key).second) {
            f.key = key;
            throw Refused{pointer(), "duplicate key " + json_excerpt(parsed)};
        }
        f.key = key;
        break;
    }
    case Event::object_end:
    case Event::array_end:
        frames_.pop_back();
        element_done();
        break;
    case Event::value:
        element_done();
        break;
    }
    return true;
}

void ParseGuard::element_done() {
    if (!frames_.empty() && !frames_.back().object) {
        ++frames_.back().index;
    }
}

std::string ParseGuard::pointer() const {
    std::string out;
    for (const Frame& f : frames_) {
        out += '/';
        out += f.object ? json_pointer_escape(f.key) : std::to_string(f.index);
    }
    return out;
}

} // namespace twin
