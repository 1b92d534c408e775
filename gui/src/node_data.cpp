// Nodes of a result and their tiles (node_data.hpp).
#include "twin/gui/node_data.hpp"

#include "twin/core/error.hpp"

#include <QFile>
#include <QFileInfo>
#include <QList>

namespace twin::gui {

namespace {

const QStringList kColumns{"node",    "rack",          "type", "gpus",        "ranks",
                           "compute", "communication", "idle", "gpu_compute", "gpu_communication"};

QString pct(double v) {
    return QString::number(100.0 * v, 'f', 0) + " %";
}

} // namespace

NodeSet parse_nodes_csv(const QByteArray& text, const std::string& file) {
    NodeSet set;
    const QList<QByteArray> lines = text.split('\n');
    if (lines.isEmpty() || QString::fromUtf8(lines[0]).split(',') != kColumns) {
        throw InputError(file, "line 1", "not a nodes.csv header (expected " + kColumns.join(',').toStdString() + ")");
    }
    set.nodes.reserve(static_cast<std::size_t>(lines.size()));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty()) {
            continue;
        }
        const QList<QByteArray> f = lines[i].split(',');
        const std::string where = "line " + std::to_string(i + 1);
        if (f.size() != kColumns.size()) {
            throw InputError(file, where, "expected " + std::to_string(kColumns.size()) + " fields");
        }
        const auto num = [&](const QByteArray& field, int c) {
            bool ok = false;
            const double v = field.toDouble(&ok);
            if (!ok) {
                throw InputError(file, where, kColumns[c].toStdString() + " is not a number");
            }
            return v;
        };
        NodeInfo n;
        n.node = static_cast<int>(num(f[0], 0));
        if (n.node != static_cast<int>(set.nodes.size())) {
            throw InputError(file, where, "node " + std::to_string(n.node) + " out of order");
        }
        n.rack = static_cast<int>(num(f[1], 1));
        n.type = QString::fromUtf8(f[2]);
        n.gpus = static_cast<int>(num(f[3], 3));
        n.ranks = static_cast<int>(num(f[4], 4));
        n.compute = num(f[5], 5);
        n.communication = num(f[6], 6);
        n.idle = num(f[7], 7);
        const QList<QByteArray> c = f[8].split(' '), m = f[9].split(' ');
        if (c.size() != n.gpus || m.size() != n.gpus) {
            throw InputError(file, where, "gpu_compute and gpu_communication need one share per GPU");
        }
        for (qsizetype g = 0; g < c.size(); ++g) {
            n.gpu_shares.emplace_back(num(c[g], 8), num(m[g], 9));
        }
        set.nodes.push_back(std::move(n));
    }
    set.present = true;
    set.note = QString("%1 nodes from nodes.csv").arg(set.nodes.size());
    return set;
}

NodeSet load_nodes(const QString& report_path) {
    const QString csv = QFileInfo(report_path).absolutePath() + "/nodes.csv";
    if (QFileInfo(report_path).fileName() == "report.json" && QFileInfo::exists(csv)) {
        QFile f(csv);
        if (f.open(QIODevice::ReadOnly)) {
            return parse_nodes_csv(f.readAll(), csv.toStdString());
        }
    }
    NodeSet set;
    set.note = "This result has no nodes.csv (written before it existed): racks do not expand into nodes. Run it "
               "again for the node level.";
    return set;
}

std::vector<Tile> node_tiles(const RackSet& set, const NodeSet& nodes, int rack_index) {
    std::vector<Tile> out;
    if (rack_index < 0 || rack_index >= static_cast<int>(set.racks.size())) {
        return out;
    }
    const RackInfo& r = set.racks[static_cast<std::size_t>(rack_index)];
    for (int k = r.first_node; k < r.first_node + r.nodes; ++k) {
        if (k < 0 || k >= static_cast<int>(nodes.nodes.size()) ||
            nodes.nodes[static_cast<std::size_t>(k)].rack != r.rack) {
            return {};
        }
        const NodeInfo& n = nodes.nodes[static_cast<std::size_t>(k)];
        Tile t;
        t.level = Level::Nodes;
        t.id = n.node;
        t.name = QString("node %1").arg(n.node);
        t.gpus = n.gpus;
        t.ranks = n.ranks;
        t.racks = 0; // no power per node
        t.busy = n.compute;
        t.communication = n.communication;
        t.clock = r.clock;
        t.type = n.type;
        t.gpu_shares = n.gpu_shares;
        t.members = {rack_index};
        out.push_back(std::move(t));
    }
    return out;
}

QString node_text(const Tile& t, double clock) {
    QString s =
        QString("<b>%1</b> (%2): %3 GPUs, %4 ran ranks. GPU time: compute %5, communication %6, idle %7; "
                "clock %8 (its rack's).")
            .arg(t.name, t.type.toHtmlEscaped())
            .arg(t.gpus)
            .arg(t.ranks)
            .arg(pct(t.busy), pct(t.communication), pct(std::max(0.0, 1.0 - t.busy - t.communication)), pct(clock));
    s += "<br>GPUs (compute / communication):";
    for (std::size_t g = 0; g < t.gpu_shares.size(); ++g) {
        s += QString("%1 gpu%2 %3 / %4")
                 .arg(g == 0 ? " " : ", ")
                 .arg(g)
                 .arg(pct(t.gpu_shares[g].first), pct(t.gpu_shares[g].second));
    }
    s += "<br><i>Power is accounted per rack and temperatures are not modelled: no per-node power or temperature.</i>";
    return s;
}

} // namespace twin::gui
