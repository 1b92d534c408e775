// The nodes of a result for the overview's node level (a rack expanded into its nodes and GPUs).
//
// Source: nodes.csv beside report.json (every node; columns in twin/report/nodes_csv.hpp), read on
// demand the first time a rack is expanded, so the 100k-GPU result opens at the rack aggregates
// (12,500 nodes are read only when asked for). Nodes are numbered rack by rack, so the nodes of a
// rack are RackInfo::first_node .. first_node + nodes - 1: no search.
// A node tile: busy = the node's compute share of GPU-time; clock = its rack's throttle clock (a
// throttle acts on a rack, CDU or the plant); no power or load (racks = 0): the engine accounts
// power per rack, not per node; temperatures are not modelled.
#pragma once

#include "twin/gui/rack_data.hpp"

#include <QString>
#include <vector>

namespace twin::gui {

struct NodeInfo {
    int node = 0, rack = 0, gpus = 0, ranks = 0;
    QString type;
    double compute = 0.0, communication = 0.0, idle = 1.0;
    std::vector<std::pair<double, double>> gpu_shares; // per GPU: compute, communication
};

struct NodeSet {
    std::vector<NodeInfo> nodes; // by node number
    bool present = false;        // read from nodes.csv
    QString note;                // why there are none, said to the user
};

// Parses nodes.csv text; throws InputError(file, "line N", message) on a malformed line (also when
// nodes are not numbered 0, 1, 2, ... in order).
[[nodiscard]] NodeSet parse_nodes_csv(const QByteArray& text, const std::string& file);
// nodes.csv of the result's folder; an empty set with a note when there is none.
[[nodiscard]] NodeSet load_nodes(const QString& report_path);

// The node tiles of rack `rack_index` (an index into set.racks); empty when the node set does not
// cover that rack.
[[nodiscard]] std::vector<Tile> node_tiles(const RackSet& set, const NodeSet& nodes, int rack_index);

// The tooltip and detail line of a node tile.
[[nodiscard]] QString node_text(const Tile& t, double clock);

} // namespace twin::gui
