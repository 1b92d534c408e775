// Checks that a text is a Chrome trace-event file as Perfetto UI and chrome://tracing read it (the
// "JSON Object Format" of the Trace Event Format document), with the rules of our timeline:
// every event has the fields its phase needs, times are finite and non-negative, the complete
// ("X") slices of each (pid, tid) track nest properly, each counter's samples rise in time, and
// every track with slices is named. Shared by the unit tests (sim/) and the CLI tests (cli/).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace twin::test {

inline bool is_time(const nlohmann::json& v) {
    return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0.0;
}

// Whole ns of a time in microseconds (the file writes 3 decimals).
inline std::int64_t trace_ns(const nlohmann::json& us) {
    return std::llround(us.get<double>() * 1000.0);
}

struct TraceSlice {
    std::int64_t ts_ns = 0; // as Perfetto reads it: ts and dur each rounded to whole ns
    std::int64_t end_ns = 0;
    double ts_us = 0.0; // as viewers that add in doubles read it (speedscope)
    double end_us = 0.0;
    std::string name;
};

struct TraceState {
    std::map<std::pair<int, int>, std::vector<TraceSlice>> tracks;
    std::map<std::pair<int, std::string>, double> last_counter_ts;
    std::set<std::pair<int, int>> named_threads;
    std::set<int> named_processes;
};

// One event: the fields its phase needs (a missing one ends this event's check, as a non-fatal
// failure).
inline void check_trace_event(const nlohmann::json& e, TraceState& st) {
    const auto need = [](bool ok, const char* what) {
        if (!ok) {
            ADD_FAILURE() << "missing or bad " << what;
        }
        return ok;
    };
    if (!need(e.is_object(), "event object")) {
        return;
    }
    if (!need(e.contains("ph") && e["ph"].is_string(), "ph (string)")) {
        return;
    }
    if (!need(e.contains("name") && e["name"].is_string(), "name (string)")) {
        return;
    }
    if (!need(e.contains("pid") && e["pid"].is_number_integer(), "pid (integer)")) {
        return;
    }
    if (!need(e.contains("tid") && e["tid"].is_number_integer(), "tid (integer)")) {
        return;
    }
    const std::string ph = e["ph"];
    const std::string name = e["name"];
    const int pid = e["pid"];
    const int tid = e["tid"];
    if (ph == "M") {
        if (!need(e.contains("args") && e["args"].is_object(), "args (object)")) {
            return;
        }
        if (name == "process_name" || name == "thread_name") {
            if (!need(e["args"].contains("name") && e["args"]["name"].is_string(), "args.name (string)")) {
                return;
            }
            EXPECT_FALSE(e["args"]["name"].get<std::string>().empty());
            if (name == "process_name") {
                EXPECT_TRUE(st.named_processes.insert(pid).second) << "process named twice";
            } else {
                EXPECT_TRUE(st.named_threads.insert({pid, tid}).second) << "thread named twice";
            }
        } else {
            EXPECT_TRUE(name == "process_sort_index" || name == "thread_sort_index") << name;
            if (!need(e["args"].contains("sort_index") && e["args"]["sort_index"].is_number_integer(),
                      "args.sort_index (integer)")) {
                return;
            }
        }
    } else if (ph == "X") {
        if (!need(e.contains("ts") && is_time(e["ts"]), "ts (finite, >= 0)")) {
            return;
        }
        if (!need(e.contains("dur") && is_time(e["dur"]), "dur (finite, >= 0)")) {
            return;
        }
        EXPECT_FALSE(name.empty());
        if (e.contains("args")) {
            EXPECT_TRUE(e["args"].is_object());
        }
        const double ts = e["ts"];
        const double dur = e["dur"];
        st.tracks[{pid, tid}].push_back(
            TraceSlice{trace_ns(e["ts"]), trace_ns(e["ts"]) + trace_ns(e["dur"]), ts, ts + dur, name});
    } else if (ph == "C") {
        if (!need(e.contains("ts") && is_time(e["ts"]), "ts (finite, >= 0)")) {
            return;
        }
        if (!need(e.contains("args") && e["args"].is_object(), "args (object)")) {
            return;
        }
        EXPECT_FALSE(e["args"].empty());
        for (const auto& [k, v] : e["args"].items()) {
            EXPECT_TRUE(v.is_number() && std::isfinite(v.get<double>())) << k;
        }
        const auto key = std::make_pair(pid, name);
        const double ts = e["ts"];
        if (st.last_counter_ts.count(key) != 0) {
            EXPECT_GT(ts, st.last_counter_ts[key]) << "counter " << name << " does not rise in time";
        }
        st.last_counter_ts[key] = ts;
    } else {
        ADD_FAILURE() << "unexpected phase " << ph;
    }
}

// Sorted by start, outer (longer) first at equal start, each slice must end before the next starts
// or contain it, i.e. lie inside every open slice it starts in. `start` and `end` read a slice's
// bounds as one kind of viewer does. Returns whether it held.
template <typename Start, typename End>
bool check_nesting(std::vector<TraceSlice> slices, Start start, End end, const char* viewer) {
    std::stable_sort(slices.begin(), slices.end(), [&](const TraceSlice& a, const TraceSlice& b) {
        return start(a) < start(b) || (start(a) == start(b) && end(a) > end(b));
    });
    std::vector<TraceSlice> open;
    for (const auto& s : slices) {
        while (!open.empty() && end(open.back()) <= start(s)) {
            open.pop_back();
        }
        if (!open.empty() && end(s) > end(open.back())) {
            ADD_FAILURE() << "'" << s.name << "' overlaps '" << open.back().name << "' without nesting in it, read as "
                          << viewer << " reads it";
            return false;
        }
        open.push_back(s);
    }
    return true;
}

// Both readings; the second only where the first held (one failure per broken track).
inline void check_nesting(const std::vector<TraceSlice>& slices) {
    const bool ok = check_nesting(
        slices, [](const TraceSlice& s) { return s.ts_ns; }, [](const TraceSlice& s) { return s.end_ns; },
        "Perfetto (whole ns)");
    if (!ok) {
        return;
    }
    check_nesting(
        slices, [](const TraceSlice& s) { return s.ts_us; }, [](const TraceSlice& s) { return s.end_us; },
        "speedscope (ts + dur in doubles)");
}

// Returns the parsed file (null when it does not parse); records a test failure per broken rule.
inline nlohmann::json expect_valid_trace(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        ADD_FAILURE() << "the timeline is not JSON";
        return nullptr;
    }
    if (!j.is_object() || !j.contains("traceEvents") || !j["traceEvents"].is_array()) {
        ADD_FAILURE() << "no traceEvents array";
        return nullptr;
    }
    EXPECT_EQ(j.value("displayTimeUnit", ""), "ns");
    TraceState st;
    std::size_t index = 0;
    for (const auto& e : j["traceEvents"]) {
        const bool failed_before = ::testing::Test::HasFailure();
        check_trace_event(e, st);
        if (!failed_before && ::testing::Test::HasFailure()) {
            ADD_FAILURE() << "the first failure above is in event " << index << ": " << e.dump();
        }
        ++index;
    }
    for (const auto& [track, slices] : st.tracks) {
        SCOPED_TRACE("track pid " + std::to_string(track.first) + " tid " + std::to_string(track.second));
        EXPECT_TRUE(st.named_threads.count(track) != 0) << "a track with slices has no thread_name";
        EXPECT_TRUE(st.named_processes.count(track.first) != 0) << "a process with slices has no process_name";
        check_nesting(slices);
    }
    return j;
}

} // namespace twin::test
