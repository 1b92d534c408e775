// `clustertwin bom` and `clustertwin cabling`: the build-out twin (buildout/). They read the
// scenario's catalog, topology and floorplan only (no workload, no simulation).
#include "cli_common.hpp"
#include "twin/buildout/bom.hpp"
#include "twin/buildout/cabling.hpp"
#include "twin/buildout/cost.hpp"
#include "twin/buildout/load.hpp"
#include "twin/buildout/schedule.hpp"
#include "twin/core/error.hpp"
#include "twin/core/output_set.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

namespace twin::cli {
namespace {

struct BuildoutArgs {
    std::string scenario;
    std::string csv;           // bom --csv
    std::string out;           // cabling -o
    std::string rack_csv;      // cabling --racks
    std::string prices;        // bom --prices
    std::string schedule;      // bom --schedule
    double tokens_per_s = 0.0; // bom --tokens-per-s
    bool json = false;
};

// Streams a large CSV to `path` through "<path>.partial", renamed into place when complete.
template <class Write>
void write_streamed(const std::string& path, const char* option, Write write) {
    const std::string partial = path + ".partial";
    std::ofstream f(partial, std::ios::binary | std::ios::trunc);
    if (!f) {
        throw InputError("command line", option, fmt::format("cannot write {}", path));
    }
    write(f);
    f.close();
    if (!f) {
        throw InputError("command line", option, fmt::format("writing {} failed", path));
    }
    std::filesystem::rename(partial, path);
}

int bom_command(const BuildoutArgs& a, const Budget& budget) {
    auto in = buildout::load_buildout(a.scenario, budget.limits());
    auto named = buildout::load_named_inputs(in.floorplan); // the floor plan's "prices" and "schedule"
    const auto layout = buildout::make_layout(in.cluster, std::move(in.floorplan));
    const auto bom = buildout::build_bom(in.cluster, layout);
    if (!a.csv.empty()) {
        std::ostringstream csv;
        buildout::write_bom_csv(bom, layout, csv);
        write_file_atomically(a.csv, csv.str(), {"command line", "--csv"});
    }
    std::optional<buildout::PriceTable> prices =
        a.prices.empty() ? std::move(named.prices) : buildout::load_prices(a.prices);
    std::optional<buildout::Cost> cost;
    if (prices) {
        cost = buildout::compute_cost(bom, *prices, bom.it_power_typical_w,
                                      a.tokens_per_s > 0 ? std::optional<double>(a.tokens_per_s) : std::nullopt);
    }
    std::optional<buildout::ScheduleInput> schedule_input =
        a.schedule.empty() ? std::move(named.schedule) : buildout::load_schedule_input(a.schedule);
    std::optional<buildout::Schedule> schedule;
    if (schedule_input) {
        schedule = buildout::make_schedule(bom, layout, *schedule_input);
    }
    if (a.json) {
        auto j = buildout::bom_to_json(bom);
        if (schedule) {
            nlohmann::json halls = nlohmann::json::array();
            for (const auto& h : schedule->halls) {
                halls.push_back({{"hall", h.hall},
                                 {"ready_day", h.ready},
                                 {"ready_date", buildout::date_after(*schedule_input, h.ready)}});
            }
            j["schedule"] = {
                {"halls", halls}, {"critical_path", schedule->critical_path}, {"prestage", schedule->prestage}};
        }
        j["layout"] = layout.description;
        if (cost) {
            j["cost"] = {{"currency", prices->currency},
                         {"illustrative", prices->illustrative},
                         {"capex", cost->capex},
                         {"capex_by_category", cost->capex_by_category},
                         {"energy_per_year", cost->energy_per_year},
                         {"per_gpu", cost->per_gpu}};
            if (cost->per_million_tokens) {
                j["cost"]["per_million_tokens"] = *cost->per_million_tokens;
            }
        }
        fmt::print("{}\n", j.dump(1));
    } else {
        fmt::print("{}", buildout::format_bom(bom, layout));
        if (cost) {
            fmt::print("{}", buildout::format_cost(*cost, *prices));
        }
        if (schedule) {
            fmt::print("{}", buildout::format_schedule(*schedule, *schedule_input));
        }
        if (!a.csv.empty()) {
            fmt::print("wrote {}\n", a.csv);
        }
    }
    return bom.check.ok ? 0 : 1;
}

int cabling_command(const BuildoutArgs& a, const Budget& budget) {
    auto in = buildout::load_buildout(a.scenario, budget.limits());
    const auto layout = buildout::make_layout(in.cluster, std::move(in.floorplan));
    buildout::CablingResult r;
    write_streamed(a.out, "--out", [&](std::ostream& f) { r = buildout::write_cabling_csv(in.cluster, layout, f); });
    std::int64_t most = 0;
    std::size_t busiest = 0;
    for (std::size_t i = 0; i < r.ends_per_rack.size(); ++i) {
        if (r.ends_per_rack[i] > most) {
            most = r.ends_per_rack[i];
            busiest = i;
        }
    }
    if (!a.rack_csv.empty()) {
        std::string text = "rack,hall,row,position,cable_ends\n";
        for (std::size_t i = 0; i < layout.racks.size(); ++i) {
            const auto& rack = layout.racks[i];
            text += fmt::format("{},{},{},{},{}\n", rack.name, rack.hall, rack.row, rack.position, r.ends_per_rack[i]);
        }
        write_file_atomically(a.rack_csv, text, {"command line", "--racks"});
    }
    fmt::print("Layout: {}\n", layout.description);
    fmt::print("wrote {}: {} links; busiest rack {} with {} cable ends\n", a.out, r.check.links,
               layout.racks.empty() ? "-" : layout.racks[busiest].name, most);
    fmt::print("Port check: {} ({} ports){}\n", r.check.ok ? "passed" : "FAILED", r.check.ports,
               r.check.ok ? "" : ": " + r.check.first_problem);
    return r.check.ok ? 0 : 1;
}

} // namespace

Command add_bom_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<BuildoutArgs>();
    auto* cmd = app.add_subcommand("bom", "Bill of materials of the scenario's cluster (per rack, row, hall, total)");
    cmd->add_option("scenario", a->scenario, "Scenario file")->required();
    cmd->add_option("--csv", a->csv, "Write the BOM per scope (total, hall, row, rack) as CSV");
    cmd->add_flag("--json", a->json, "Print the totals as JSON");
    cmd->add_option(
        "--prices", a->prices,
        "Price table (JSON, buildout/README.md): adds capex and energy cost (default: the floor plan's \"prices\")");
    cmd->add_option("--tokens-per-s", a->tokens_per_s, "Training throughput for the cost per million tokens")
        ->check(CLI::PositiveNumber);
    cmd->add_option(
        "--schedule", a->schedule,
        "Lead times and install rates (JSON): adds the bring-up schedule (default: the floor plan's \"schedule\")");
    add_budget_options(cmd, budget, false);
    return {cmd, [a, &budget] { return bom_command(*a, budget); }};
}

Command add_cabling_command(CLI::App& app, Budget& budget) {
    auto a = std::make_shared<BuildoutArgs>();
    auto* cmd = app.add_subcommand("cabling", "Cabling plan: every fabric link port to port, cable type and length");
    cmd->add_option("scenario", a->scenario, "Scenario file")->required();
    cmd->add_option("-o,--out", a->out, "The plan (CSV)")->required();
    cmd->add_option("--racks", a->rack_csv, "Write the cable ends (patch count) per rack as CSV");
    add_budget_options(cmd, budget, false);
    return {cmd, [a, &budget] { return cabling_command(*a, budget); }};
}

} // namespace twin::cli
