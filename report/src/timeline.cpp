// Chrome trace-event JSON of a run's timeline (see twin/report/timeline.hpp for what goes on which
// track). Inputs: RunResult::timeline (slices of the recorded ranks: arrive, start, end in s),
// RunResult::series (per bin: tier utilisation mean/max as fractions of capacity, class activity
// shares) and RunResult::power (per bin: IT power mean/min/max in W; facility power
// = facility_slope x IT + facility_fixed_w). Output times in microseconds, powers in MW.
#include "twin/report/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <vector>

namespace twin::report {
namespace {

constexpr int kRanksPid = 1;
constexpr int kFabricPid = 2;
constexpr int kPowerPid = 3;
// Longest time written (about 32 years): whole ns of it fit an int64 many times over.
constexpr double kMaxTimeS = 1e9;
// Slice times lie on a grid of 1/8 us (125 ns), the finest whose points are exact both as 3-decimal
// us and as binary doubles: Perfetto rounds ts and dur to whole ns each (exact on this grid), and
// viewers that add ts + dur in doubles (speedscope, scripts) get exactly the next slice's ts, so
// adjacent slices meet there too. (At ns resolution 1.000 + 1.014 gives 2.0140000000000002 in
// doubles, past a next slice at 2.014: speedscope takes that for an overlap and nests every later
// slice inside.)
constexpr double kGridPerS = 8e6;
constexpr std::int64_t kGridNs = 125;

void check_time(double s) {
    if (!std::isfinite(s) || s < 0.0 || s > kMaxTimeS) {
        throw std::logic_error(fmt::format("timeline: time {} s is out of range", s));
    }
}

// Counter times: whole ns (counters have no ends, so no grid is needed).
std::int64_t ns_of(double s) {
    check_time(s);
    return std::llround(s * 1e9);
}

// Slice times: rounded to the grid once, so ts + dur of one slice equals ts of the next exactly.
std::int64_t grid_ns_of(double s) {
    check_time(s);
    return std::llround(s * kGridPerS) * kGridNs;
}

class Writer {
public:
    explicit Writer(std::size_t reserve) { out_.reserve(reserve); }

    // Starts an event: the separator, then the fields common to all phases.
    void begin(char ph, std::string_view name, int pid, int tid) {
        out_ += first_ ? "\n{\"ph\":\"" : ",\n{\"ph\":\"";
        first_ = false;
        out_ += ph;
        out_ += "\",\"name\":";
        string(name);
        fmt::format_to(std::back_inserter(out_), ",\"pid\":{},\"tid\":{}", pid, tid);
    }
    void key(std::string_view k) {
        out_ += fresh_ ? "\"" : ",\"";
        fresh_ = false;
        out_ += k;
        out_ += "\":";
    }
    // Microseconds with 3 decimals from whole ns (non-negative).
    void us(std::string_view k, std::int64_t ns) {
        key(k);
        fmt::format_to(std::back_inserter(out_), "{}.{:03}", ns / 1000, ns % 1000);
    }
    void fixed(std::string_view k, double v, int decimals) {
        key(k);
        check_finite(v);
        fmt::format_to(std::back_inserter(out_), "{:.{}f}", v == 0.0 ? 0.0 : v, decimals);
    }
    // Shortest representation that reads back exactly (fmt's own algorithm, not the C library's).
    void number(std::string_view k, double v) {
        key(k);
        check_finite(v);
        fmt::format_to(std::back_inserter(out_), "{}", v == 0.0 ? 0.0 : v);
    }
    void integer(std::string_view k, std::int64_t v) {
        key(k);
        fmt::format_to(std::back_inserter(out_), "{}", v);
    }
    void text(std::string_view k, std::string_view v) {
        key(k);
        string(v);
    }
    // "args":{ ... } closes the event too.
    void open_args() {
        out_ += ",\"args\":{";
        fresh_ = true;
    }
    void close_args() { out_ += "}}"; }
    void raw(std::string_view s) { out_ += s; }
    void string(std::string_view s) {
        out_ += '"';
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out_ += '\\';
                out_ += c;
            } else if (u < 0x20) {
                fmt::format_to(std::back_inserter(out_), "\\u{:04x}", static_cast<unsigned>(u));
            } else {
                out_ += c; // UTF-8 passes through (trace names come from valid JSON)
            }
        }
        out_ += '"';
    }
    std::string take() { return std::move(out_); }

private:
    static void check_finite(double v) {
        if (!std::isfinite(v)) {
            throw std::logic_error("timeline: a value is not finite");
        }
    }
    std::string out_;
    bool first_ = true;  // no event written yet
    bool fresh_ = false; // just opened "args": the next key has no comma
};

void metadata(Writer& w, std::string_view what, int pid, int tid, std::string_view name) {
    w.begin('M', what, pid, tid);
    w.open_args();
    w.text("name", name);
    w.close_args();
}

void sort_index(Writer& w, std::string_view what, int pid, int tid, int index) {
    w.begin('M', what, pid, tid);
    w.open_args();
    w.integer("sort_index", index);
    w.close_args();
}

struct Item {
    int rank = 0;
    bool comm = false;
    std::int64_t arrive = 0, start = 0, end = 0;
    std::uint32_t op = 0;
    int lane = 0;
    // The track holds [arrive, end] for communication (its wait slice first), [start, end] for
    // compute (a compute op's wait is the previous op running, on the same track).
    [[nodiscard]] std::int64_t from() const { return comm ? arrive : start; }
};

struct Track {
    int rank = 0;
    bool comm = false;
    int lane = 0;
    int tid = 0;
    std::vector<std::size_t> items; // in time order
};

std::string bytes_text(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (b >= 1024.0 && u < 5) {
        b /= 1024.0;
        ++u;
    }
    return fmt::format("{:.4g} {}", b, units[u]); // 4 digits: "1000 KiB", not "1e+03 KiB"
}

// "grad_sync (256 MiB, ring/simple)" for communication, the op name for compute.
std::string slice_name(const TimelineOp& op) {
    if (op.kind == "compute") {
        return op.name;
    }
    std::string detail = bytes_text(op.bytes);
    if (!op.algorithm.empty()) {
        detail += ", " + op.algorithm;
    }
    return op.name + " (" + detail + ")";
}

std::string track_name(const models::Scenario& s, int rank, bool comm, int lane) {
    std::string name = fmt::format("rank {}", rank);
    if (comm) {
        name += " comm";
    } else if (lane == 0) {
        const auto& classes = s.trace.classes;
        const auto& of = s.trace.class_of_rank;
        if (rank >= 0 && static_cast<std::size_t>(rank) < of.size() && of[rank] >= 0 &&
            static_cast<std::size_t>(of[rank]) < classes.size()) {
            name += " (" + classes[of[rank]].name + ")";
        }
    } else {
        name += " compute";
    }
    if (lane > 0) {
        name += fmt::format(" {}", lane + 1);
    }
    return name;
}

// Slices with their lanes (first-fit by arrival per rank and sort), and the tracks in output order.
std::vector<Track> assign_tracks(const Timeline& t, std::vector<Item>& items) {
    for (const auto& sl : t.slices) {
        if (sl.op >= t.ops.size()) {
            throw std::logic_error("timeline: a slice names an op that is not in the table");
        }
        Item it{sl.rank,
                t.ops[sl.op].kind != "compute",
                grid_ns_of(sl.arrive_s),
                grid_ns_of(sl.start_s),
                grid_ns_of(sl.end_s),
                sl.op,
                0};
        if (it.arrive > it.start || it.start > it.end) {
            throw std::logic_error("timeline: a slice does not have arrive <= start <= end");
        }
        items.push_back(it);
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return std::tuple(a.rank, a.comm, a.from(), a.start, a.end, a.op) <
               std::tuple(b.rank, b.comm, b.from(), b.start, b.end, b.op);
    });
    // Lanes per (rank, sort): the end of each lane's last slice.
    std::map<std::pair<int, bool>, std::vector<std::int64_t>> lanes;
    for (auto& it : items) {
        auto& ends = lanes[{it.rank, it.comm}];
        const auto free = std::find_if(ends.begin(), ends.end(), [&](std::int64_t e) { return e <= it.from(); });
        it.lane = static_cast<int>(free - ends.begin());
        if (free == ends.end()) {
            ends.push_back(it.end);
        } else {
            *free = it.end;
        }
    }
    // Every recorded rank gets its compute track even when it ran nothing.
    for (const int rank : t.ranks) {
        lanes.try_emplace({rank, false});
    }
    std::vector<Track> tracks;
    std::map<std::tuple<int, bool, int>, std::size_t> index;
    for (const auto& [key, ends] : lanes) {
        const std::size_t n = std::max<std::size_t>(ends.size(), key.second ? 0 : 1);
        for (std::size_t lane = 0; lane < n; ++lane) {
            index[{key.first, key.second, static_cast<int>(lane)}] = tracks.size();
            tracks.push_back(
                Track{key.first, key.second, static_cast<int>(lane), static_cast<int>(tracks.size()) + 1, {}});
        }
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        tracks[index.at({items[i].rank, items[i].comm, items[i].lane})].items.push_back(i);
    }
    return tracks;
}

void write_slices(Writer& w, const Timeline& t, const std::vector<std::string>& names, const std::vector<Item>& items,
                  const Track& track) {
    for (const std::size_t i : track.items) {
        const Item& it = items[i];
        const auto& op = t.ops[it.op];
        const std::string& name = names[it.op];
        if (it.comm && it.start > it.arrive) {
            w.begin('X', "wait: " + name, kRanksPid, track.tid);
            w.text("cat", "wait");
            w.us("ts", it.arrive);
            w.us("dur", it.start - it.arrive);
            w.open_args();
            w.text("op", op.name);
            w.close_args();
        }
        w.begin('X', name, kRanksPid, track.tid);
        w.text("cat", it.comm ? "communication" : "compute");
        w.us("ts", it.start);
        w.us("dur", it.end - it.start);
        w.open_args();
        w.text("kind", op.kind);
        if (it.comm) {
            w.number("bytes", op.bytes);
            if (!op.algorithm.empty()) {
                w.text("algorithm", op.algorithm);
            }
            if (op.members > 0) {
                w.integer("members", op.members);
            }
        }
        w.us("wait_us", it.start - it.arrive);
        w.close_args();
    }
}

void check_bins(const std::vector<double>& v, std::size_t bins) {
    if (v.size() != bins) {
        throw std::logic_error("timeline: a time series does not have one value per bin");
    }
}

void write_series(Writer& w, const TimeSeries& series) {
    for (const auto& c : series.classes) {
        check_bins(c.compute, series.bins);
        check_bins(c.communication, series.bins);
        check_bins(c.idle, series.bins);
        for (std::size_t i = 0; i < series.bins; ++i) {
            w.begin('C', c.name + " activity", kRanksPid, 0);
            w.us("ts", ns_of(static_cast<double>(i) * series.bin_s));
            w.open_args();
            w.fixed("compute", c.compute[i], 6);
            w.fixed("communication", c.communication[i], 6);
            w.fixed("idle", c.idle[i], 6);
            w.close_args();
        }
    }
    for (const auto& tier : series.tiers) {
        check_bins(tier.mean, series.bins);
        check_bins(tier.max, series.bins);
        // A pod's (leaf group's) part of a tier is a counter of its own: "leaf-spine utilisation,
        // pod 3".
        const std::string name = tier.pod < 0
                                     ? tier.tier + " utilisation"
                                     : fmt::format("{} utilisation, {} {}", tier.tier,
                                                   series.pod_kind.empty() ? "pod" : series.pod_kind, tier.pod);
        for (std::size_t i = 0; i < series.bins; ++i) {
            w.begin('C', name, kFabricPid, 0);
            w.us("ts", ns_of(static_cast<double>(i) * series.bin_s));
            w.open_args();
            w.fixed("mean", tier.mean[i], 6);
            w.fixed("max", tier.max[i], 6);
            w.close_args();
        }
    }
}

void write_power(Writer& w, const PowerResult& p) {
    for (const bool facility : {false, true}) {
        const auto mw = [&](double it_w) {
            return (facility ? p.facility_slope * it_w + p.facility_fixed_w : it_w) / 1e6;
        };
        for (const auto& pt : p.series) {
            w.begin('C', facility ? "facility power (MW)" : "IT power (MW)", kPowerPid, 0);
            w.us("ts", ns_of(pt.time_s));
            w.open_args();
            w.fixed("mean", mw(pt.it_mean_w), 6);
            w.fixed("min", mw(pt.it_min_w), 6);
            w.fixed("max", mw(pt.it_max_w), 6);
            w.close_args();
        }
    }
}

} // namespace

std::string timeline_json(const models::Scenario& s, const RunResult& r) {
    const auto& t = r.timeline;
    std::vector<Item> items;
    items.reserve(t.slices.size());
    const auto tracks = assign_tracks(t, items);

    const std::size_t counters =
        r.series.bins * (r.series.tiers.size() + r.series.classes.size()) + 2 * r.power.series.size();
    Writer w(1024 + 160 * tracks.size() + 240 * items.size() + 160 * counters); // bundled runs: ~175 B a slice
    w.raw("{\"traceEvents\":[");

    const bool fabric = !r.series.tiers.empty();
    const bool power = !r.power.series.empty();
    metadata(w, "process_name", kRanksPid, 0, "ranks");
    sort_index(w, "process_sort_index", kRanksPid, 0, kRanksPid);
    if (fabric) {
        metadata(w, "process_name", kFabricPid, 0, "fabric");
        sort_index(w, "process_sort_index", kFabricPid, 0, kFabricPid);
    }
    if (power) {
        metadata(w, "process_name", kPowerPid, 0, "power");
        sort_index(w, "process_sort_index", kPowerPid, 0, kPowerPid);
    }
    for (const auto& track : tracks) {
        metadata(w, "thread_name", kRanksPid, track.tid, track_name(s, track.rank, track.comm, track.lane));
        sort_index(w, "thread_sort_index", kRanksPid, track.tid, track.tid);
    }
    std::vector<std::string> names;
    for (const auto& op : t.ops) {
        names.push_back(slice_name(op));
    }
    for (const auto& track : tracks) {
        write_slices(w, t, names, items, track);
    }
    write_series(w, r.series);
    if (power) {
        write_power(w, r.power);
    }

    w.raw("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"scenario\":");
    w.string(s.name);
    w.text("file", std::filesystem::path(s.file).filename().string());
    w.raw(fmt::format(",\"seed\":{}", s.seed));
    w.number("simulated_time_s", r.simulated_time_s);
    w.integer("simulated_ranks", r.ranks);
    w.integer("ranks_recorded", static_cast<std::int64_t>(t.ranks.size()));
    w.integer("slices", static_cast<std::int64_t>(t.slices.size()));
    w.raw(fmt::format(",\"truncated\":{}", t.truncated ? "true" : "false"));
    w.raw(",\"generator\":\"clustertwin\"}}\n");
    return w.take();
}

} // namespace twin::report
