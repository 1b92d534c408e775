// Reading a sweep file and expanding it into cases (sweep.hpp).
//
//   {"scenario": "../llama3-70b-superpod.json", "mode": "grid",
//    "axes": {"/workload/batch/micro_batch": [1, 2],
//             "/topology/fabric/tiers/0/oversubscription": ["1:1", "2:1"],
//             "network": {"/topology/fabric/access_cable": ["NDR-DAC", "XDR-DAC"], ...},
//             "/seed": {"from": 1, "to": 3, "step": 1}}}
//
// grid: every combination, the axes in the order of their keys (sorted), the last one fastest;
// zip: the i-th value of every axis (all of one length); cases: "cases": [{pointer: value, ...}].
// A group (a key that is not a pointer) varies its pointers together. Every pointer must exist in
// the base scenario and every value must have the JSON type of the value it replaces.
#include "twin/core/json_reader.hpp"
#include "twin/sweep/sweep.hpp"

#include <cmath>
#include <fmt/format.h>
#include <set>

namespace twin::sweep {
namespace {

const char* type_name(const nlohmann::json& j) {
    if (j.is_number()) {
        return "a number";
    }
    if (j.is_string()) {
        return "a string";
    }
    if (j.is_boolean()) {
        return "a boolean";
    }
    if (j.is_array()) {
        return "an array";
    }
    if (j.is_object()) {
        return "an object";
    }
    return "null";
}

bool same_type(const nlohmann::json& a, const nlohmann::json& b) {
    return (a.is_number() && b.is_number()) || a.type() == b.type();
}

// The base scenario's value at `pointer` (written at `where` in the sweep file), or InputError.
const nlohmann::json& base_value(const SweepSpec& spec, const std::string& pointer, const Value& where) {
    if (pointer.empty() || pointer.front() != '/') {
        where.fail(fmt::format("\"{}\" is not a JSON pointer into the scenario (it starts with '/')", pointer));
    }
    try {
        const nlohmann::json::json_pointer jp(pointer);
        if (spec.base.contains(jp)) {
            return spec.base.at(jp);
        }
    } catch (const nlohmann::json::exception&) {
        // a malformed pointer or an index into an array that is not a number: not in the scenario
    }
    where.fail(fmt::format("the pointer {} does not exist in the scenario {} (an axis replaces a value the base "
                           "scenario has; add it there first)",
                           pointer, spec.scenario.string()));
}

void check_value(const nlohmann::json& base, const std::string& pointer, const Value& v) {
    if (!same_type(base, v.json())) {
        v.fail(fmt::format("{} for {}, whose value in the scenario is {}; got {}", type_name(base), pointer,
                           type_name(base), type_name(v.json())));
    }
}

// The values of one pointer: a list, or a numeric range {from, to, step} (to included).
std::vector<nlohmann::json> axis_values(const SweepSpec& spec, const std::string& pointer, const Value& v) {
    const nlohmann::json& base = base_value(spec, pointer, v);
    std::vector<nlohmann::json> out;
    if (v.is_array()) {
        for (const Value& e : v.as_array().values()) {
            check_value(base, pointer, e);
            out.push_back(e.json());
        }
    } else if (v.is_object()) {
        Object r = v.as_object();
        const Value from_v = r.at("from");
        const Value to_v = r.at("to");
        const Value step_v = r.at("step");
        r.finish();
        const double from = from_v.as_number();
        const double to = to_v.as_number();
        const double step = step_v.as_number();
        if (step == 0.0 || (to - from) / step < 0.0) {
            step_v.fail(fmt::format("a step that goes from {} to {}", from_v.json().dump(), to_v.json().dump()));
        }
        if (!base.is_number()) {
            v.fail(fmt::format("a list of values: {} is {} in the scenario, a range gives numbers", pointer,
                               type_name(base)));
        }
        const double n = std::floor((to - from) / step + 1e-9) + 1.0;
        if (!(n <= static_cast<double>(kMaxRangeValues))) {
            v.fail(fmt::format("a range of at most {} values; this one has {}", kMaxRangeValues, n));
        }
        const bool integer = from_v.json().is_number_integer() && step_v.json().is_number_integer();
        for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k) {
            if (integer) {
                out.emplace_back(from_v.json().get<std::int64_t>() +
                                 static_cast<std::int64_t>(k) * step_v.json().get<std::int64_t>());
            } else {
                out.emplace_back(from + static_cast<double>(k) * step);
            }
        }
    } else {
        v.fail("a list of values or a range {\"from\", \"to\", \"step\"}");
    }
    if (out.empty()) {
        v.fail("an empty axis: give at least one value");
    }
    return out;
}

void read_axes(SweepSpec& spec, Object& axes) {
    for (const std::string& key : axes.keys()) {
        const Value v = axes.at(key);
        Axis axis;
        axis.name = key;
        if (!key.empty() && key.front() == '/') {
            axis.pointers.push_back(key);
            axis.values.push_back(axis_values(spec, key, v));
        } else {
            Object group = v.as_object();
            for (const std::string& p : group.keys()) {
                const Value pv = group.at(p);
                axis.pointers.push_back(p);
                axis.values.push_back(axis_values(spec, p, pv));
                if (axis.values.back().size() != axis.values.front().size()) {
                    pv.fail(fmt::format("{} values, as many as {} has ({}): the pointers of a group vary together",
                                        axis.values.front().size(), axis.pointers.front(), axis.values.back().size()));
                }
            }
            if (axis.pointers.empty()) {
                v.fail("an empty group: give at least one pointer with its values");
            }
        }
        spec.axes.push_back(std::move(axis));
    }
    if (spec.axes.empty()) {
        axes.fail("at least one axis");
    }
}

} // namespace

std::uint64_t fnv1a64(const std::string& text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const unsigned char c : text) {
        h = (h ^ c) * 1099511628211ULL;
    }
    return h;
}

std::string case_key(const nlohmann::json& scenario) {
    return fmt::format("{:016x}", fnv1a64(scenario.dump()));
}

SweepSpec parse_sweep(const nlohmann::json& doc, const std::string& file, const std::filesystem::path& folder) {
    const Value root(doc, std::make_shared<const std::string>(file), "");
    Object o = root.as_object();
    SweepSpec spec;
    spec.file = file;
    const Value scenario_v = o.at("scenario");
    spec.scenario = folder / scenario_v.as_string();
    spec.base = Document::load(spec.scenario).root().json();
    if (!spec.base.is_object()) {
        scenario_v.fail("a scenario file holding a JSON object");
    }
    spec.name = std::filesystem::path(file).stem().string();
    if (const auto n = o.find("name")) {
        spec.name = n->as_string();
    }
    if (const auto d = o.find("description")) {
        (void)d->as_string(); // for the reader
    }
    if (const auto m = o.find("mode")) {
        const std::string mode = m->as_choice({"grid", "zip", "cases"});
        spec.mode = mode == "grid" ? Mode::Grid : mode == "zip" ? Mode::Zip : Mode::Cases;
    }
    std::size_t total = 1;
    if (spec.mode == Mode::Cases) {
        if (o.has("axes")) {
            o.fail_at("axes", "mode \"cases\" lists its cases under \"cases\"; \"axes\" belongs to grid and zip");
        }
        const Value list_v = o.at("cases");
        const Array list = list_v.as_array();
        if (list.empty()) {
            list_v.fail("at least one case");
        }
        std::set<std::string> columns;
        for (const Value& c : list.values()) {
            Object co = c.as_object();
            for (const std::string& p : co.keys()) {
                const Value pv = co.at(p);
                check_value(base_value(spec, p, pv), p, pv);
                columns.insert(p);
            }
            spec.cases.push_back(c.json());
        }
        spec.columns.assign(columns.begin(), columns.end());
        total = list.size();
    } else {
        if (o.has("cases")) {
            o.fail_at("cases", "\"cases\" belongs to mode \"cases\"");
        }
        Object axes = o.at("axes").as_object();
        read_axes(spec, axes);
        for (const Axis& a : spec.axes) {
            spec.columns.insert(spec.columns.end(), a.pointers.begin(), a.pointers.end());
            if (spec.mode == Mode::Zip && a.size() != spec.axes.front().size()) {
                axes.fail_at(a.name, fmt::format("{} values, as many as {} has ({}): zip takes the i-th of each",
                                                 spec.axes.front().size(), spec.axes.front().name, a.size()));
            }
            total = spec.mode == Mode::Zip ? a.size() : total * a.size();
            if (total > kMaxCases) {
                axes.fail(fmt::format("at most {} cases; these axes give more", kMaxCases));
            }
        }
    }
    o.finish();
    return spec;
}

SweepSpec load_sweep(const std::filesystem::path& file) {
    const Document doc = Document::load(file);
    return parse_sweep(doc.root().json(), file.string(), file.parent_path());
}

std::vector<Case> expand(const SweepSpec& spec) {
    std::vector<nlohmann::json> scenarios;
    if (spec.mode == Mode::Cases) {
        for (const auto& c : spec.cases) {
            nlohmann::json s = spec.base;
            for (const auto& [p, v] : c.items()) {
                s[nlohmann::json::json_pointer(p)] = v;
            }
            scenarios.push_back(std::move(s));
        }
    } else {
        std::size_t total = spec.mode == Mode::Zip ? spec.axes.front().size() : 1;
        if (spec.mode == Mode::Grid) {
            for (const Axis& a : spec.axes) {
                total *= a.size();
            }
        }
        for (std::size_t i = 0; i < total; ++i) {
            nlohmann::json s = spec.base;
            std::size_t rest = i;
            for (auto a = spec.axes.rbegin(); a != spec.axes.rend(); ++a) { // the last axis fastest
                const std::size_t k = spec.mode == Mode::Zip ? i : rest % a->size();
                rest /= a->size();
                for (std::size_t p = 0; p < a->pointers.size(); ++p) {
                    s[nlohmann::json::json_pointer(a->pointers[p])] = a->values[p][k];
                }
            }
            scenarios.push_back(std::move(s));
        }
    }
    std::vector<Case> cases;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        Case c;
        c.index = i;
        for (const auto& p : spec.columns) {
            c.values.push_back(scenarios[i].at(nlohmann::json::json_pointer(p)));
        }
        c.key = case_key(scenarios[i]);
        c.scenario = std::move(scenarios[i]);
        cases.push_back(std::move(c));
    }
    return cases;
}

nlohmann::json runnable_scenario(const nlohmann::json& resolved, const std::filesystem::path& scenario_folder) {
    nlohmann::json s = resolved;
    const auto absolute = [&](nlohmann::json& v) {
        if (v.is_string() && std::filesystem::path(v.get<std::string>()).is_relative()) {
            v = (std::filesystem::absolute(scenario_folder) / v.get<std::string>()).lexically_normal().string();
        }
    };
    if (s.contains("workload") && s["workload"].is_object()) {
        auto& w = s["workload"];
        for (const char* k : {"file", "files"}) {
            if (w.contains(k)) {
                if (w[k].is_array()) {
                    for (auto& f : w[k]) {
                        absolute(f);
                    }
                } else {
                    absolute(w[k]);
                }
            }
        }
        // A serving workload's JSONL request trace (models/README.md, request-level serving).
        const nlohmann::json::json_pointer requests("/serving/requests/file");
        if (w.contains(requests)) {
            absolute(w[requests]);
        }
    }
    if (s.contains("run") && s["run"].is_object()) {
        s["run"].erase("output_dir");
    }
    return s;
}

Shard parse_shard(const std::string& text) {
    const auto fail = [&] {
        throw InputError("command line", "--shard",
                         fmt::format("\"{}\": give I/N with 0 <= I < N (shard I of N, counted from 0)", text));
    };
    const auto slash = text.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == text.size() || text.size() > 20) {
        fail();
    }
    const auto digits = [](const std::string& s) { return s.find_first_not_of("0123456789") == std::string::npos; };
    const std::string i = text.substr(0, slash);
    const std::string n = text.substr(slash + 1);
    if (!digits(i) || !digits(n)) {
        fail();
    }
    Shard s{std::stoull(i), std::stoull(n)};
    if (s.count == 0 || s.index >= s.count) {
        fail();
    }
    return s;
}

bool in_shard(std::size_t case_index, const Shard& shard) {
    return case_index % shard.count == shard.index;
}

} // namespace twin::sweep
