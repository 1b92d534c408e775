// Checks over a sweep's table (the CI gate, `--check CHECKS.json`):
//
//   {"all": ["step_time_s < 12", "mfu > 0.3"],          every case
//    "cases": {"3": ["facility_peak_mw <= 2.5"]},      case 3 only
//    "baseline": "baseline-results", "max_slowdown": 0.02}
//
// A condition is "METRIC OP NUMBER" with OP one of < <= > >= == != and METRIC a numeric column of the
// table (metric_names()). With a baseline (a folder holding the sweep.csv of an earlier sweep,
// relative to the checks file), a case whose key is in the baseline fails when its step time exceeds
// the baseline's by more than max_slowdown (a share: 0.02 = 2 %). A case that failed to run fails
// the gate. A metric a case does not have (no tokens in a trace workload) fails its condition.
#include "twin/core/input_file.hpp"
#include "twin/core/json_reader.hpp"
#include "twin/sweep/sweep.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::sweep {
namespace {

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t");
    const auto b = s.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

Condition parse_condition(const Value& v) {
    Condition c;
    c.text = v.as_string();
    for (const char* op : {"<=", ">=", "==", "!=", "<", ">"}) {
        if (const auto at = c.text.find(op); at != std::string::npos) {
            c.op = op;
            c.metric = trim(c.text.substr(0, at));
            const std::string number = trim(c.text.substr(at + c.op.size()));
            try {
                std::size_t used = 0;
                c.value = std::stod(number, &used);
                if (used != number.size()) {
                    throw std::invalid_argument(number);
                }
            } catch (const std::exception&) {
                v.fail(fmt::format("\"METRIC OP NUMBER\"; \"{}\" is not a number", number));
            }
            break;
        }
    }
    if (c.op.empty()) {
        v.fail("\"METRIC OP NUMBER\" with OP one of < <= > >= == !=");
    }
    if (std::find(metric_names().begin(), metric_names().end(), c.metric) == metric_names().end()) {
        v.fail(fmt::format("unknown metric \"{}\"; choose from {}", c.metric, fmt::join(metric_names(), ", ")));
    }
    return c;
}

std::vector<Condition> conditions(const Value& v) {
    std::vector<Condition> out;
    for (const Value& e : v.as_array().values()) {
        out.push_back(parse_condition(e));
    }
    return out;
}

bool holds(double x, const Condition& c) {
    if (c.op == "<") {
        return x < c.value;
    }
    if (c.op == "<=") {
        return x <= c.value;
    }
    if (c.op == ">") {
        return x > c.value;
    }
    if (c.op == ">=") {
        return x >= c.value;
    }
    if (c.op == "==") {
        return x == c.value;
    }
    return x != c.value;
}

} // namespace

CheckSpec parse_checks(const nlohmann::json& doc, const std::string& file, const std::filesystem::path& folder) {
    const Value root(doc, std::make_shared<const std::string>(file), "");
    Object o = root.as_object();
    CheckSpec spec;
    if (const auto all = o.find("all")) {
        spec.all = conditions(*all);
    }
    if (const auto cases = o.find("cases")) {
        Object co = cases->as_object();
        for (const std::string& k : co.keys()) {
            const Value v = co.at(k);
            if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos) {
                co.fail_at(k, fmt::format("\"{}\" is not a case index (a number as in the table's case column)", k));
            }
            spec.cases[std::stoul(k)] = conditions(v);
        }
    }
    const auto baseline = o.find("baseline");
    if (const auto m = o.find("max_slowdown")) {
        if (!baseline) {
            o.fail_at("max_slowdown", "max_slowdown compares with a baseline; give \"baseline\" too");
        }
        spec.max_slowdown = m->as_number(Bound::NonNegative, 100.0);
    }
    if (baseline) {
        spec.baseline_dir = (folder / baseline->as_string()).string();
        const auto csv = std::filesystem::path(spec.baseline_dir) / "sweep.csv";
        if (const std::string why = missing_reason(csv); !why.empty()) {
            baseline->fail(fmt::format("the baseline table \"{}\" {}", csv.string(), why));
        }
        spec.baseline = table_from_csv(read_input_file(csv), csv.string());
    }
    o.finish();
    return spec;
}

CheckSpec load_checks(const std::filesystem::path& file) {
    const Document doc = Document::load(file);
    return parse_checks(doc.root().json(), file.string(), file.parent_path());
}

std::vector<Failure> evaluate(const CheckSpec& checks, const Table& table) {
    std::vector<const Row*> rows;
    for (const Row& r : table.rows) {
        rows.push_back(&r);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) { return a->index < b->index; });
    std::map<std::string, const Row*> base;
    if (checks.baseline) {
        for (const Row& r : checks.baseline->rows) {
            base[r.key] = &r;
        }
    }
    std::vector<Failure> out;
    for (const Row* r : rows) {
        if (r->status != "ok") {
            out.push_back({r->index, "the case runs", "failed: " + r->error});
            continue;
        }
        std::vector<Condition> list = checks.all;
        if (const auto it = checks.cases.find(r->index); it != checks.cases.end()) {
            list.insert(list.end(), it->second.begin(), it->second.end());
        }
        for (const Condition& c : list) {
            const auto it = r->metrics.find(c.metric);
            if (it == r->metrics.end() || !it->second) {
                out.push_back({r->index, c.text, "no value"});
            } else if (!holds(*it->second, c)) {
                out.push_back({r->index, c.text, fmt::format("{:.6g}", *it->second)});
            }
        }
        if (const auto b = base.find(r->key); b != base.end()) {
            const auto now = r->metrics.at("step_time_s");
            const auto then =
                b->second->metrics.count("step_time_s") ? b->second->metrics.at("step_time_s") : std::nullopt;
            if (now && then && *then > 0.0 && *now > *then * (1.0 + checks.max_slowdown)) {
                out.push_back(
                    {r->index, fmt::format("step_time_s <= baseline x {:.4g}", 1.0 + checks.max_slowdown),
                     fmt::format("{:.6g} s vs {:.6g} s (+{:.2f} %)", *now, *then, (*now / *then - 1.0) * 100.0)});
            }
        }
    }
    return out;
}

std::string format_failures(const std::vector<Failure>& failures) {
    std::size_t w_case = 4;
    std::size_t w_check = 5;
    for (const Failure& f : failures) {
        w_case = std::max(w_case, std::to_string(f.index).size());
        w_check = std::max(w_check, f.check.size());
    }
    std::string out = fmt::format("{:<{}}  {:<{}}  {}\n", "case", w_case, "check", w_check, "value");
    for (const Failure& f : failures) {
        out += fmt::format("{:<{}}  {:<{}}  {}\n", f.index, w_case, f.check, w_check, f.value);
    }
    return out;
}

} // namespace twin::sweep
