// Racks of a result and their aggregation (rack_data.hpp).
#include "twin/gui/rack_data.hpp"

#include "twin/core/error.hpp"
#include "twin/gui/metrics.hpp"

#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QRegularExpression>
#include <algorithm>
#include <map>

namespace twin::gui {

namespace {

const QStringList kColumns{"rack",    "hall",          "row",       "cdu",       "pod",           "nodes",
                           "gpus",    "ranks",         "it_mean_w", "it_peak_w", "power_limit_w", "cooling_capacity_w",
                           "compute", "communication", "idle",      "clock"};

std::optional<double> limit_of(const RackInfo& r) {
    if (r.power_limit_w && r.cooling_capacity_w) {
        return std::min(*r.power_limit_w, *r.cooling_capacity_w);
    }
    return r.power_limit_w ? r.power_limit_w : r.cooling_capacity_w;
}

std::optional<double> rack_load(const RackInfo& r) {
    const auto l = limit_of(r);
    return l && *l > 0 ? std::optional<double>(r.it_peak_w / *l) : std::nullopt;
}

} // namespace

RackSet parse_racks_csv(const QByteArray& text, const std::string& file) {
    RackSet set;
    const QList<QByteArray> lines = text.split('\n');
    if (lines.isEmpty() || QString::fromUtf8(lines[0]).split(',') != kColumns) {
        throw InputError(file, "line 1", "not a racks.csv header (expected " + kColumns.join(',').toStdString() + ")");
    }
    int next_node = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty()) {
            continue;
        }
        const QList<QByteArray> f = lines[i].split(',');
        const std::string where = "line " + std::to_string(i + 1);
        if (f.size() != kColumns.size()) {
            throw InputError(file, where, "expected " + std::to_string(kColumns.size()) + " fields");
        }
        const auto num = [&](int c) {
            bool ok = false;
            const double v = f[c].toDouble(&ok);
            if (!ok) {
                throw InputError(file, where, kColumns[c].toStdString() + " is not a number");
            }
            return v;
        };
        const auto opt = [&](int c) { return f[c].isEmpty() ? std::nullopt : std::optional<double>(num(c)); };
        RackInfo r;
        r.rack = static_cast<int>(num(0));
        r.hall = static_cast<int>(num(1));
        r.row = static_cast<int>(num(2));
        r.cdu = static_cast<int>(num(3));
        r.pod = static_cast<int>(num(4));
        r.nodes = static_cast<int>(num(5));
        r.gpus = static_cast<int>(num(6));
        r.ranks = static_cast<int>(num(7));
        r.it_mean_w = num(8);
        r.it_peak_w = num(9);
        r.power_limit_w = opt(10);
        r.cooling_capacity_w = opt(11);
        r.compute = num(12);
        r.communication = num(13);
        r.idle = num(14);
        r.clock = num(15);
        r.first_node = next_node;
        next_node += r.nodes;
        set.racks.push_back(r);
    }
    set.total_racks = static_cast<std::int64_t>(set.racks.size());
    set.complete = true;
    set.note = QString("%1 racks from racks.csv").arg(set.total_racks);
    return set;
}

RackSet load_racks(const LoadedResult& r) {
    const QString csv = QFileInfo(r.path).absolutePath() + "/racks.csv";
    if (QFileInfo(r.path).fileName() == "report.json" && QFileInfo::exists(csv)) {
        QFile f(csv);
        if (f.open(QIODevice::ReadOnly)) {
            return parse_racks_csv(f.readAll(), csv.toStdString());
        }
    }
    RackSet set;
    const auto& p = r.report.power;
    for (const auto& d : p.racks.hottest) {
        RackInfo k;
        k.rack = d.id;
        k.it_mean_w = d.it.mean_w;
        k.it_peak_w = d.it.peak_w;
        k.power_limit_w = p.rack_power_w;
        if (d.capacity_w >= 0) {
            k.cooling_capacity_w = d.capacity_w;
        }
        k.idle = 0.0;
        k.compute = r.report.compute_fraction.mean; // per rack unknown: the cluster's mean
        set.racks.push_back(k);
    }
    set.total_racks = p.racks.count;
    set.complete = false;
    set.note = QString("This result has no racks.csv (written before it existed, or a report.json alone): only the "
                       "%1 hottest of %2 racks, power only, without halls and rows. Run it again for the full map.")
                   .arg(set.racks.size())
                   .arg(set.total_racks);
    return set;
}

QString metric_name(ColourMetric m) {
    switch (m) {
    case ColourMetric::Busy:
        return "GPU utilisation (compute share)";
    case ColourMetric::Power:
        return "IT power (mean per rack)";
    case ColourMetric::Load:
        return "Peak power / rack limit";
    case ColourMetric::Clock:
        return "GPU clock (throttling)";
    }
    return {};
}

std::vector<Tile> tiles_at(const RackSet& set, Level level, int hall, int group, Level by) {
    if (!set.complete) {
        level = Level::Racks;
        hall = group = -1;
    }
    std::map<int, Tile> by_id;
    for (std::size_t i = 0; i < set.racks.size(); ++i) {
        const auto& r = set.racks[i];
        if ((level != Level::Halls && hall >= 0 && r.hall != hall) ||
            (level == Level::Racks && (by == Level::Pods ? r.pod != group : group >= 0 && r.row != group))) {
            continue;
        }
        const int id = level == Level::Halls  ? r.hall
                       : level == Level::Rows ? r.row
                       : level == Level::Pods ? r.pod
                                              : r.rack;
        Tile& t = by_id[id];
        if (t.members.empty()) {
            t.level = level;
            t.id = id;
            t.name = level == Level::Pods && id < 0 ? QString("no pod")
                                                    : QString(level == Level::Halls  ? "hall %1"
                                                              : level == Level::Rows ? "row %1"
                                                              : level == Level::Pods ? "pod %1"
                                                                                     : "rack %1")
                                                          .arg(id);
        }
        t.members.push_back(static_cast<int>(i));
        t.racks += 1;
        t.gpus += r.gpus;
        t.ranks += r.ranks;
        t.power_mean_w += r.it_mean_w;
        t.power_peak_w += r.it_peak_w;
        t.busy += r.compute * std::max(1, r.gpus);
        t.clock = std::min(t.clock, r.clock);
        if (const auto l = rack_load(r)) {
            t.load = std::max(t.load.value_or(0.0), *l);
        }
    }
    std::vector<Tile> out;
    out.reserve(by_id.size());
    for (auto& [id, t] : by_id) {
        int weight = 0;
        for (int m : t.members) {
            weight += std::max(1, set.racks[static_cast<std::size_t>(m)].gpus);
        }
        t.busy /= std::max(1, weight);
        out.push_back(std::move(t));
    }
    return out;
}

std::optional<double> tile_value(const Tile& t, ColourMetric m) {
    switch (m) {
    case ColourMetric::Busy:
        return t.busy;
    case ColourMetric::Power:
        return t.racks > 0 ? std::optional<double>(t.power_mean_w / t.racks) : std::nullopt;
    case ColourMetric::Load:
        return t.load;
    case ColourMetric::Clock:
        return t.clock;
    }
    return std::nullopt;
}

std::optional<double> rack_value(const RackInfo& r, ColourMetric m) {
    switch (m) {
    case ColourMetric::Busy:
        return r.compute;
    case ColourMetric::Power:
        return r.it_mean_w;
    case ColourMetric::Load:
        return rack_load(r);
    case ColourMetric::Clock:
        return r.clock;
    }
    return std::nullopt;
}

std::pair<double, double> metric_range(const RackSet& set, ColourMetric m) {
    switch (m) {
    case ColourMetric::Busy:
    case ColourMetric::Clock:
        return {0.0, 1.0};
    case ColourMetric::Load: {
        double hi = 1.0;
        for (const auto& r : set.racks) {
            hi = std::max(hi, rack_load(r).value_or(0.0));
        }
        return {0.0, hi};
    }
    case ColourMetric::Power: {
        double hi = 0.0;
        for (const auto& r : set.racks) {
            hi = std::max(hi, r.it_mean_w);
        }
        return {0.0, hi > 0 ? hi : 1.0};
    }
    }
    return {0.0, 1.0};
}

QString format_value(double v, ColourMetric m) {
    return QString::fromStdString(format_metric(v, m == ColourMetric::Power ? "W" : "fraction"));
}

Highlight locate(const RackSet& set, const QString& kind, const QString& name, const QString& tier) {
    Highlight h;
    const auto all_with = [&](auto pred) {
        for (std::size_t i = 0; i < set.racks.size(); ++i) {
            if (pred(set.racks[i])) {
                h.racks.push_back(static_cast<int>(i));
            }
        }
    };
    static const QRegularExpression last_number("(\\d+)\\s*$");
    static const QRegularExpression node_re("\\bnode(\\d+)/");
    static const QRegularExpression group_re("\\b(?:leaf|spine)\\.g(\\d+)\\.");
    if (!set.complete) {
        h.text = "Not located: this result has no racks.csv, so racks have no pods or nodes.";
        return h;
    }
    if (kind == "pod") {
        const auto m = last_number.match(name);
        const int pod = m.hasMatch() ? m.captured(1).toInt() : -1;
        all_with([&](const RackInfo& r) { return r.pod == pod; });
        h.text = QString("%1: the %2 racks whose NICs are cabled to it").arg(name).arg(h.racks.size());
    } else if (kind == "link") {
        const auto n = node_re.match(name);
        if (n.hasMatch()) {
            const int node = n.captured(1).toInt();
            all_with([&](const RackInfo& r) { return node >= r.first_node && node < r.first_node + r.nodes; });
            h.text = QString("%1: in node %2%3")
                         .arg(name)
                         .arg(node)
                         .arg(h.racks.empty()
                                  ? QString()
                                  : QString(", rack %1").arg(set.racks[static_cast<std::size_t>(h.racks[0])].rack));
        } else if (const auto g = group_re.match(name); g.hasMatch()) {
            const int pod = g.captured(1).toInt();
            all_with([&](const RackInfo& r) { return r.pod == pod; });
            h.text = QString("%1: a switch of pod %2, serving %3 racks").arg(name).arg(pod).arg(h.racks.size());
        } else {
            h.text = QString("%1: a core switch link, outside the racks").arg(name);
        }
    } else {
        if (tier == "access" || tier == "leaf-spine" || tier == "spine-core") {
            all_with([](const RackInfo& r) { return r.pod >= 0; });
            h.text = QString("Tier %1: spans every rack with a NIC (%2 racks)").arg(tier).arg(h.racks.size());
        } else {
            all_with([](const RackInfo&) { return true; });
            h.text = QString("Tier %1: inside every node (%2 racks)").arg(tier).arg(h.racks.size());
        }
    }
    return h;
}

} // namespace twin::gui
