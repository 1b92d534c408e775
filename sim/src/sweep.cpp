#include "twin/sim/sweep.hpp"

#include "sweep_fluid.hpp"
#include "sweep_progress.hpp"
#include "twin/core/csv.hpp"
#include "twin/core/error.hpp"
#include "twin/sim/budget.hpp"
#include "twin/sim/run.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <map>
#include <stdexcept>

namespace twin::sim {
namespace {

[[noreturn]] void bad_group(std::string_view spec, const std::string& why) {
    throw InputError("command line", "--group", fmt::format("\"{}\": {}", spec, why));
}

int parse_int(std::string_view text, std::string_view spec) {
    int v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
        bad_group(spec, fmt::format("\"{}\" is not a non-negative integer", text));
    }
    return v;
}

std::pair<int, int> parse_range(std::string_view text, std::string_view spec) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        const int v = parse_int(text, spec);
        return {v, v};
    }
    const int a = parse_int(text.substr(0, dash), spec);
    const int b = parse_int(text.substr(dash + 1), spec);
    if (b < a) {
        bad_group(spec, "the range is empty");
    }
    return {a, b};
}

std::string variant_label(models::Algorithm a, models::Protocol p) {
    return fmt::format("{}/{}", models::algorithm_name(a), models::protocol_name(p));
}

using Variants = std::vector<std::pair<models::Algorithm, models::Protocol>>;

SweepRow make_row(const SweepSpec& spec, double size, const std::string& requested, const std::string& chosen,
                  double time_s, const char* timed_by) {
    SweepRow row;
    row.size_bytes = size;
    row.requested = requested;
    row.chosen = chosen;
    row.time_s = time_s;
    row.algbw_bytes_per_s = time_s > 0 ? size / time_s : 0.0;
    row.busbw_bytes_per_s =
        row.algbw_bytes_per_s * models::busbw_factor(spec.kind, static_cast<int>(spec.members.size()));
    row.timed_by = timed_by;
    return row;
}

// The shortcut (sweep_fluid.hpp): every case timed by the fluid solver, one after the other.
std::vector<SweepRow> fluid_sweep(const topology::Cluster& cluster, const SweepSpec& spec, const Variants& variants) {
    FluidCollectiveTimer timer(cluster, true);
    SweepProgress progress(spec.progress, static_cast<double>(spec.sizes_bytes.size() * variants.size()), 1);
    std::vector<SweepRow> rows;
    if (spec.progress) { // moves inside a case too: a 100,000-GPU tree takes seconds
        timer.set_progress([&](double share) { progress.at(static_cast<double>(rows.size()) + share); });
    }
    for (double size : spec.sizes_bytes) {
        for (const auto& [a, p] : variants) {
            FluidCase c;
            try {
                c = timer.time(spec.kind, spec.members, size, a, p);
            } catch (const models::UnsupportedAlgorithm& e) {
                throw InputError("command line", "--op", e.what());
            }
            rows.push_back(make_row(spec, size,
                                    a == models::Algorithm::Auto ? std::string("auto") : variant_label(a, p), c.label,
                                    c.time_s, c.analytic ? "scale-up estimate" : "fluid"));
            progress.at(static_cast<double>(rows.size()));
        }
    }
    progress.finish();
    return rows;
}

} // namespace

std::vector<int> parse_group(const topology::Cluster& cluster, std::string_view spec) {
    std::vector<int> gpus;
    const auto colon = spec.find(':');
    const std::string_view kind = spec.substr(0, colon);
    const std::string_view arg = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
    const int nodes = static_cast<int>(cluster.nodes().size());
    if (kind == "all" && colon == std::string_view::npos) {
        for (int g = 0; g < cluster.gpu_count(); ++g) {
            gpus.push_back(g);
        }
    } else if ((kind == "node" || kind == "nodes") && !arg.empty()) {
        const auto [a, b] = parse_range(arg, spec);
        if (b >= nodes) {
            bad_group(spec, fmt::format("the cluster has nodes 0-{}", nodes - 1));
        }
        for (int n = a; n <= b; ++n) {
            const auto& node = cluster.nodes()[static_cast<std::size_t>(n)];
            for (int k = 0; k < node.gpus; ++k) {
                gpus.push_back(node.first_gpu + k);
            }
        }
    } else if (kind == "gpus" && !arg.empty()) {
        const auto [a, b] = parse_range(arg, spec);
        if (b >= cluster.gpu_count()) {
            bad_group(spec, fmt::format("the cluster has GPUs 0-{}", cluster.gpu_count() - 1));
        }
        for (int g = a; g <= b; ++g) {
            gpus.push_back(g);
        }
    } else if (kind == "local" && !arg.empty()) {
        const int k = parse_int(arg, spec);
        for (const auto& node : cluster.nodes()) {
            if (k < node.gpus) {
                gpus.push_back(node.first_gpu + k);
            }
        }
    } else {
        bad_group(spec, "expected all, node:N, nodes:A-B, gpus:A-B or local:K");
    }
    if (gpus.size() < 2) {
        bad_group(spec, fmt::format("a collective needs at least 2 GPUs, this names {}", gpus.size()));
    }
    return gpus;
}

std::vector<double> size_ladder(double min_bytes, double max_bytes, double factor) {
    if (!(min_bytes > 0 && max_bytes <= kMaxSweepBytes && factor > 1)) {
        throw std::invalid_argument(fmt::format("size ladder from {} to {} B by {}: expected 0 < min, max <= {} B and "
                                                "factor > 1",
                                                min_bytes, max_bytes, factor, kMaxSweepBytes));
    }
    std::vector<double> sizes;
    for (double s = min_bytes; s <= max_bytes * (1 + 1e-12); s *= factor) {
        sizes.push_back(s);
    }
    return sizes;
}

std::vector<SweepRow> run_sweep(const topology::Cluster& cluster, const SweepSpec& spec) {
    using models::Algorithm;
    using models::Protocol;
    Variants variants{{spec.algorithm, Protocol::Auto}};
    if (spec.algorithm == Algorithm::Auto && spec.all_algorithms) {
        for (const auto& v : models::applicable_algorithms(spec.kind, spec.members, cluster)) {
            variants.push_back(v);
        }
    }
    if (!spec.no_fold && !spec.unfolded) {
        if (!spec.deadline) {
            return fluid_sweep(cluster, spec, variants);
        }
        // The time limit is checked whenever the fluid solver reports progress.
        SweepSpec timed = spec;
        timed.progress = [deadline = *spec.deadline, inner = spec.progress](double done) {
            if (std::chrono::steady_clock::now() > deadline) {
                throw TimeLimitExceeded(fmt::format("in the fluid solver, {:.0f} % of the sweep done", done * 100));
            }
            if (inner) {
                inner(done);
            }
        };
        return fluid_sweep(cluster, timed, variants);
    }
    // Every flow through SimGrid: progress counts the flows that ended, out of all the cases'.
    auto progress = watch_simgrid_flows(cluster, spec, variants);

    // A trace with one rank class (the members) running every case in sequence.
    models::Trace trace;
    trace.name = "collective sweep";
    trace.file = "collective sweep";
    trace.ranks = spec.members.back() + 1;
    models::GroupFamily fam;
    fam.name = "sweep";
    fam.communicators.push_back(spec.members);
    fam.comm_of_rank.assign(static_cast<std::size_t>(trace.ranks), -1);
    fam.position_of_rank.assign(static_cast<std::size_t>(trace.ranks), -1);
    trace.class_of_rank.assign(static_cast<std::size_t>(trace.ranks), -1);
    for (std::size_t i = 0; i < spec.members.size(); ++i) {
        fam.comm_of_rank[static_cast<std::size_t>(spec.members[i])] = 0;
        fam.position_of_rank[static_cast<std::size_t>(spec.members[i])] = static_cast<std::int32_t>(i);
        trace.class_of_rank[static_cast<std::size_t>(spec.members[i])] = 0;
    }
    trace.groups.push_back(std::move(fam));
    models::RankClass cls;
    cls.name = "members";
    cls.ranks = spec.members;
    std::map<std::string, std::pair<double, std::string>> case_of_name; // op name -> (size, requested)
    for (double size : spec.sizes_bytes) {
        for (const auto& [a, p] : variants) {
            models::Op op;
            op.kind = models::Op::Kind::Collective;
            op.name = fmt::format("{}@{}", variant_label(a, p), size);
            op.collective.kind = spec.kind;
            op.collective.algorithm = a;
            op.collective.protocol = p;
            op.collective.family = 0;
            op.collective.size = Bytes(size);
            case_of_name[op.name] = {size, a == Algorithm::Auto ? std::string("auto") : variant_label(a, p)};
            const int index = static_cast<int>(cls.program.body.size());
            cls.program.deps.push_back(index == 0 ? std::vector<int>{} : std::vector<int>{index - 1});
            cls.program.body.emplace_back(std::move(op));
        }
    }
    trace.classes.push_back(std::move(cls));

    RunOptions options;
    options.record_collectives = true;
    options.deadline = spec.deadline;
    options.unfolded = spec.unfolded;
    options.no_fold = true;
    const RunResult result = run_trace(cluster, trace, options);
    progress->finish();

    std::vector<SweepRow> rows;
    const int node = cluster.node_of_gpu(spec.members.front());
    const bool one_node = std::all_of(spec.members.begin(), spec.members.end(),
                                      [&](int gpu) { return cluster.node_of_gpu(gpu) == node; });
    for (const auto& rec : result.records) {
        const auto& [size, requested] = case_of_name.at(rec.name);
        rows.push_back(make_row(spec, size, requested, rec.algorithm, rec.end_s - rec.start_s,
                                one_node && !spec.unfolded ? "scale-up estimate" : "simgrid"));
    }
    return rows;
}

std::string sweep_table(const std::vector<SweepRow>& rows) {
    std::string out = fmt::format("{:>14}  {:<18} {:<18} {:>12} {:>11} {:>11}\n", "size (B)", "requested", "ran",
                                  "time (us)", "algbw GB/s", "busbw GB/s");
    for (const auto& r : rows) {
        out += fmt::format("{:>14.0f}  {:<18} {:<18} {:>12.2f} {:>11.2f} {:>11.2f}\n", r.size_bytes, r.requested,
                           r.chosen, r.time_s * 1e6, r.algbw_bytes_per_s / 1e9, r.busbw_bytes_per_s / 1e9);
    }
    return out;
}

std::string sweep_csv(const std::vector<SweepRow>& rows) {
    CsvWriter csv(
        {"size_bytes", "requested", "algorithm", "time_s", "algbw_bytes_per_s", "busbw_bytes_per_s", "timed_by"});
    for (const auto& r : rows) {
        csv.row(r.size_bytes, r.requested, r.chosen, r.time_s, r.algbw_bytes_per_s, r.busbw_bytes_per_s, r.timed_by);
    }
    return csv.str();
}

std::string sweep_shortcuts(const std::vector<SweepRow>& rows) {
    std::string out;
    const auto used = [&](const char* how) {
        return std::any_of(rows.begin(), rows.end(), [&](const SweepRow& r) { return r.timed_by == how; });
    };
    if (used("fluid")) {
        out += "# shortcut: flows timed by the fluid solver (SimGrid's max-min sharing, every flow, no SimGrid run); "
               "--no-fold plays them in SimGrid\n";
    }
    if (used("scale-up estimate")) {
        out += "# shortcut: one NVLink domain, timed by the planner's isolated estimate; --unfolded plays the flows\n";
    }
    return out;
}

} // namespace twin::sim
