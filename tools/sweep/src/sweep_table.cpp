// The result table of a sweep: one row per case with the axis values and key results of its
// RunReport; written and read back as CSV (RFC 4180 fields, core/csv.hpp) and printed as a summary.
//
//   step_time_s        the workload's step time (WorkloadReport), else the simulated time (traces)
//   tokens_per_s       the workload's tokens per second (empty without tokens)
//   mfu                model FLOPs utilisation (WorkloadReport::mfu; empty without a workload)
//   facility_peak_mw   PowerReport::facility.peak_w / 1e6
//   energy_per_token_j facility energy per token (EnergyReport::per_token_j; empty without tokens)
//   simulated_time_s   RunReport::simulated_time_s
//   gpus               RunReport::gpus
// With a "campaign" section (models/campaign.hpp; Monte Carlo means, the CIs stay in report.json):
//   goodput              useful step time / wall time over the campaign
//   mtbi_h               mean time between interruptions, 1 / Λ, in hours
//   interruptions        expected interruptions over the campaign
//   days_to_train        wall-clock days to train the campaign's token budget (empty without one)
//   campaign_energy_mwh  facility energy over the campaign, MWh
// With request-mode serving (RequestServingReport::summary):
//   ttft_p99_s, tpot_p99_s  99th percentile time to first token / per output token, s
//   slo_attainment          the fraction of requests meeting both SLOs
// A table written before a metric existed reads back with that metric empty (columns are found by
// name between the axes and the tail).
#include "twin/core/csv.hpp"
#include "twin/core/error.hpp"
#include "twin/sweep/sweep.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace twin::sweep {
namespace {

constexpr std::string_view kLead[] = {"case", "cases", "key", "status"};
constexpr std::string_view kTail[] = {"bound_by", "error", "report"};

std::string number_text(const std::optional<double>& v) {
    return v ? fmt::format("{}", *v) : std::string();
}

// RFC 4180 records (quoted fields may hold commas, quotes and line breaks).
std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& file) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    bool any = false;
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                line += c == '\n' ? 1 : 0;
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
            any = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
            any = true;
        } else if (c == '\n') {
            record.push_back(std::move(field));
            records.push_back(std::move(record));
            field.clear();
            record.clear();
            any = false;
            ++line;
        } else if (c != '\r') {
            field += c;
            any = true;
        }
    }
    if (quoted) {
        throw InputError(file, fmt::format("line {}", line), "a quoted field that never ends");
    }
    if (any) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
    }
    return records;
}

double parse_number(const std::string& s, const std::string& file, std::size_t line) {
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == s.size()) {
            return v;
        }
    } catch (const std::exception&) {
    }
    throw InputError(file, fmt::format("line {}", line), fmt::format("\"{}\" is not a number", s));
}

// The shortest tail of `pointer` (whole segments) that no other column ends in: "switch" alone is
// ambiguous between tiers/0/switch and tiers/1/switch, "0/switch" is not.
std::string short_label(const std::string& pointer, const std::vector<std::string>& columns) {
    for (auto at = pointer.rfind('/'); at != std::string::npos && at > 0; at = pointer.rfind('/', at - 1)) {
        const std::string tail = pointer.substr(at);
        const bool unique = std::none_of(columns.begin(), columns.end(), [&](const std::string& c) {
            return c != pointer && c.size() >= tail.size() && c.compare(c.size() - tail.size(), tail.size(), tail) == 0;
        });
        if (unique) {
            return tail.substr(1);
        }
    }
    return pointer;
}

} // namespace

const std::vector<std::string>& metric_names() {
    static const std::vector<std::string> names{
        "step_time_s", "tokens_per_s", "mfu",           "facility_peak_mw", "energy_per_token_j", "simulated_time_s",
        "gpus",        "goodput",      "mtbi_h",        "interruptions",    "days_to_train",      "campaign_energy_mwh",
        "ttft_p99_s",  "tpot_p99_s",   "slo_attainment"};
    return names;
}

namespace {

void fill_campaign(Row& row, const models::CampaignResult& c) {
    row.metrics["goodput"] = c.goodput.mean;
    row.metrics["mtbi_h"] = c.mtbi_s / 3600.0;
    row.metrics["interruptions"] = c.interruptions.mean;
    row.metrics["days_to_train"] = c.days_for_tokens ? std::optional<double>(c.days_for_tokens->mean) : std::nullopt;
    row.metrics["campaign_energy_mwh"] = c.energy_j.mean / 3.6e9;
}

} // namespace

void fill_metrics(Row& row, const report::RunReport& r) {
    const auto& w = r.workload;
    row.metrics["step_time_s"] = w && w->step_time_s > 0.0 ? w->step_time_s : r.simulated_time_s;
    row.metrics["tokens_per_s"] = w && w->tokens_per_s > 0.0 ? std::optional<double>(w->tokens_per_s) : std::nullopt;
    row.metrics["mfu"] = w ? std::optional<double>(w->mfu) : std::nullopt;
    row.metrics["facility_peak_mw"] = r.power.facility.peak_w / 1e6;
    row.metrics["energy_per_token_j"] = r.power.energy.per_token_j;
    row.metrics["simulated_time_s"] = r.simulated_time_s;
    row.metrics["gpus"] = static_cast<double>(r.gpus);
    if (r.campaign) {
        fill_campaign(row, *r.campaign);
    }
    if (r.serving) {
        row.metrics["ttft_p99_s"] = r.serving->summary.ttft_s.p99;
        row.metrics["tpot_p99_s"] = r.serving->summary.tpot_s.p99;
        row.metrics["slo_attainment"] = r.serving->summary.slo_attainment;
    }
    row.bound_by = r.bound_by;
}

std::string cell_text(const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string to_csv(const Table& t) {
    std::vector<std::string> header(std::begin(kLead), std::end(kLead));
    header.insert(header.end(), t.columns.begin(), t.columns.end());
    header.insert(header.end(), metric_names().begin(), metric_names().end());
    header.insert(header.end(), std::begin(kTail), std::end(kTail));
    const auto line = [](const std::vector<std::string>& fields) {
        std::string s;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            s += (i ? "," : "") + csv_field(fields[i]);
        }
        return s + "\n";
    };
    std::string out = line(header);
    for (const Row& r : t.rows) {
        std::vector<std::string> f{std::to_string(r.index), std::to_string(r.total), r.key, r.status};
        for (const auto& c : t.columns) {
            const auto it = r.axes.find(c);
            f.push_back(it == r.axes.end() ? "" : it->second);
        }
        for (const auto& m : metric_names()) {
            const auto it = r.metrics.find(m);
            f.push_back(it == r.metrics.end() ? "" : number_text(it->second));
        }
        f.insert(f.end(), {r.bound_by, r.error, r.report});
        out += line(f);
    }
    return out;
}

Table table_from_csv(const std::string& text, const std::string& file) {
    const auto records = parse_csv(text, file);
    const std::size_t lead = std::size(kLead);
    const std::size_t tail = std::size(kTail);
    if (records.empty() || records[0].size() < lead + tail ||
        !std::equal(std::begin(kLead), std::end(kLead), records[0].begin()) ||
        !std::equal(std::begin(kTail), std::end(kTail), records[0].end() - static_cast<std::ptrdiff_t>(tail))) {
        throw InputError(file, "line 1", "not a sweep table (its header starts case,cases,key,status)");
    }
    const auto& h = records[0];
    // The metrics start at the first metric name after the lead; everything before is an axis.
    const auto metrics_end = h.end() - static_cast<std::ptrdiff_t>(tail);
    const auto metrics_begin =
        std::find_if(h.begin() + static_cast<std::ptrdiff_t>(lead), metrics_end, [](const auto& c) {
            return std::find(metric_names().begin(), metric_names().end(), c) != metric_names().end();
        });
    Table t;
    t.columns.assign(h.begin() + static_cast<std::ptrdiff_t>(lead), metrics_begin);
    const std::vector<std::string> metrics(metrics_begin, metrics_end);
    for (const auto& m : metrics) {
        if (std::find(metric_names().begin(), metric_names().end(), m) == metric_names().end()) {
            throw InputError(file, "line 1", fmt::format("unknown metric column \"{}\"", m));
        }
    }
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& f = records[i];
        if (f.size() != h.size()) {
            throw InputError(file, fmt::format("line {}", i + 1),
                             fmt::format("{} fields where the header has {}", f.size(), h.size()));
        }
        Row r;
        r.index = static_cast<std::size_t>(parse_number(f[0], file, i + 1));
        r.total = static_cast<std::size_t>(parse_number(f[1], file, i + 1));
        r.key = f[2];
        r.status = f[3];
        std::size_t k = lead;
        for (const auto& c : t.columns) {
            r.axes[c] = f[k++];
        }
        for (const auto& m : metric_names()) {
            r.metrics[m] = std::nullopt;
        }
        for (const auto& m : metrics) {
            r.metrics[m] = f[k].empty() ? std::nullopt : std::optional<double>(parse_number(f[k], file, i + 1));
            ++k;
        }
        r.bound_by = f[k];
        r.error = f[k + 1];
        r.report = f[k + 2];
        t.rows.push_back(std::move(r));
    }
    return t;
}

void check_sort_metric(const std::string& sort) {
    const std::string m = !sort.empty() && sort.front() == '-' ? sort.substr(1) : sort;
    if (!sort.empty() && std::find(metric_names().begin(), metric_names().end(), m) == metric_names().end()) {
        throw InputError("command line", "--sort",
                         fmt::format("unknown metric \"{}\"; choose from {} (a leading '-' sorts descending)", m,
                                     fmt::join(metric_names(), ", ")));
    }
}

std::string format_summary(const Table& t, const std::string& sort) {
    check_sort_metric(sort);
    std::vector<const Row*> rows;
    for (const Row& r : t.rows) {
        rows.push_back(&r);
    }
    const bool desc = !sort.empty() && sort.front() == '-';
    const std::string metric = desc ? sort.substr(1) : sort;
    if (!metric.empty()) {
        std::stable_sort(rows.begin(), rows.end(), [&](const Row* a, const Row* b) {
            const auto value = [&](const Row* r) { // (has the metric, its value)
                const auto it = r->metrics.find(metric);
                const bool has = it != r->metrics.end() && it->second.has_value();
                return std::pair<bool, double>(has, has ? it->second.value() : 0.0);
            };
            const auto [hx, x] = value(a);
            const auto [hy, y] = value(b);
            if (!hx || !hy) {
                return hx && !hy;
            }
            return desc ? x > y : x < y;
        });
    }
    std::vector<std::string> head{"case"};
    for (const auto& c : t.columns) {
        head.push_back(short_label(c, t.columns));
    }
    std::vector<std::string> shown{"step_time_s", "tokens_per_s", "mfu", "facility_peak_mw", "energy_per_token_j"};
    for (const char* extra : {"goodput", "days_to_train", "ttft_p99_s", "tpot_p99_s"}) { // when a row has it
        if (std::any_of(t.rows.begin(), t.rows.end(), [&](const Row& r) {
                const auto it = r.metrics.find(extra);
                return it != r.metrics.end() && it->second.has_value();
            })) {
            shown.emplace_back(extra);
        }
    }
    head.insert(head.end(), shown.begin(), shown.end());
    head.insert(head.end(), {"bound_by", "status"});
    std::vector<std::vector<std::string>> cells{head};
    for (const Row* r : rows) {
        std::vector<std::string> line{std::to_string(r->index)};
        for (const auto& c : t.columns) {
            line.push_back(r->axes.count(c) ? r->axes.at(c) : "");
        }
        for (const auto& m : shown) {
            const auto v = r->metrics.count(m) ? r->metrics.at(m) : std::nullopt;
            line.push_back(v ? fmt::format("{:.4g}", *v) : "-");
        }
        line.push_back(r->bound_by.empty() ? "-" : r->bound_by);
        line.push_back(r->status == "ok" ? "ok" : "FAILED: " + r->error);
        cells.push_back(std::move(line));
    }
    std::vector<std::size_t> width(head.size(), 0);
    for (const auto& line : cells) {
        for (std::size_t i = 0; i < line.size(); ++i) {
            width[i] = std::max(width[i], line[i].size());
        }
    }
    std::string out;
    for (const auto& line : cells) {
        std::string s;
        for (std::size_t i = 0; i < line.size(); ++i) {
            s += i + 1 == line.size() ? line[i] : fmt::format("{:<{}}  ", line[i], width[i]);
        }
        out += s + "\n";
    }
    return out;
}

} // namespace twin::sweep
