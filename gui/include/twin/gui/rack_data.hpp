// The racks of a result for the cluster overview, and their aggregation into halls and rows.
//
// Source: racks.csv beside report.json (every rack; columns in twin/report/racks_csv.hpp). Result
// folders written before racks.csv existed fall back to report.json's hottest racks (power.racks:
// a few of them, power only, no hall or row), and RackSet::complete says so.
//
// Aggregates over the racks R of a tile (a hall, a row or one rack):
//   power    = sum over R of it_mean_w (and it_peak_w)                        [W]
//   busy     = sum_R compute x gpus / sum_R gpus: the GPU-time share computing [0, 1]
//   load     = max over R of it_peak_w / limit, limit = the lower of power_limit_w and
//              cooling_capacity_w; none when no rack of R has a limit          [ratio]
//   clock    = min over R of the throttle clock                                [0, 1]
// The colour of a tile: busy, load or clock as they are; power as the mean rack power of R (so a
// hall and a rack read on the same scale).
#pragma once

#include "twin/gui/result.hpp"

#include <QString>
#include <optional>
#include <vector>

namespace twin::gui {

struct RackInfo {
    int rack = 0, hall = 0, row = 0, cdu = 0, pod = -1;
    int nodes = 0, gpus = 0, ranks = 0;
    int first_node = 0; // nodes are numbered rack by rack: the first node of this rack
    double it_mean_w = 0.0, it_peak_w = 0.0;
    std::optional<double> power_limit_w, cooling_capacity_w;
    double compute = 0.0, communication = 0.0, idle = 1.0, clock = 1.0;
};

struct RackSet {
    std::vector<RackInfo> racks;
    std::int64_t total_racks = 0; // in the cluster (more than racks.size() when incomplete)
    bool complete = false;        // read from racks.csv
    QString note;                 // where the racks came from, said to the user
};

// Parses racks.csv text; throws InputError(file, "line N", message) on a malformed line.
[[nodiscard]] RackSet parse_racks_csv(const QByteArray& text, const std::string& file);
// racks.csv of the result's folder, else the report's hottest racks.
[[nodiscard]] RackSet load_racks(const LoadedResult& r);

enum class ColourMetric { Busy, Power, Load, Clock };
[[nodiscard]] QString metric_name(ColourMetric m);

// The levels of the overview: halls, then their racks grouped by facility row or by fabric pod (leaf
// group, topology/pods.hpp), then racks, then the nodes of one rack (node_data.hpp).
enum class Level { Halls, Rows, Pods, Racks, Nodes };

struct Tile {
    QString name; // "hall 1", "row 12", "pod 3", "rack 403", "node 17"
    Level level = Level::Halls;
    int id = 0; // hall, row or rack number
    int gpus = 0, ranks = 0, racks = 0;
    double power_mean_w = 0.0, power_peak_w = 0.0, busy = 0.0, clock = 1.0;
    std::optional<double> load;
    std::vector<int> members; // indices into RackSet::racks (a node: its rack)
    // Nodes only (node_data.hpp): the node type, the communication share, and per GPU (local GPU 0
    // first) its compute and communication shares. Nodes have no power figures (racks = 0).
    QString type;
    double communication = 0.0;
    std::vector<std::pair<double, double>> gpu_shares;
};

// The tiles of one level: every hall; the rows (or pods) of `hall`; the racks of row (or pod)
// `group`, whichever `by` (Rows or Pods) names (hall < 0: all; a row < 0: all; pod -1:
// the racks without a fabric pod). Incomplete sets have no layout:
// every level lists their racks. Nodes: node_tiles (node_data.hpp).
[[nodiscard]] std::vector<Tile> tiles_at(const RackSet& set, Level level, int hall, int group, Level by = Level::Rows);
// The value a tile is coloured by (nullopt: no data, e.g. load without a limit), and the range of
// the colour scale over the whole set (the same at every level).
[[nodiscard]] std::optional<double> tile_value(const Tile& t, ColourMetric m);
// One rack's value on the same scale (a tile of that rack alone).
[[nodiscard]] std::optional<double> rack_value(const RackInfo& r, ColourMetric m);
[[nodiscard]] std::pair<double, double> metric_range(const RackSet& set, ColourMetric m);
// "1.21 MW", "43 %", ... for a metric value.
[[nodiscard]] QString format_value(double v, ColourMetric m);

struct Highlight {
    std::vector<int> racks; // indices into RackSet::racks
    QString text;           // what is highlighted and where, or why nothing is
};
// Where a bottleneck row (table_models.hpp: kind "tier", "pod" or "link" and its name) sits.
[[nodiscard]] Highlight locate(const RackSet& set, const QString& kind, const QString& name, const QString& tier);

} // namespace twin::gui
