// MetricTableModel and BottleneckModel (table_models.hpp).
#include "twin/gui/table_models.hpp"

#include <QBrush>
#include <QColor>
#include <fmt/format.h>

namespace twin::gui {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QVariant sort_key(const std::optional<Metric>& m) {
    if (!m) {
        return QString();
    }
    return m->value ? QVariant(*m->value) : QVariant(q(m->text));
}

} // namespace

MetricTableModel::MetricTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void MetricTableModel::set_single(const std::vector<Metric>& a) {
    beginResetModel();
    rows_ = single_metrics(a);
    compare_ = false;
    endResetModel();
}

void MetricTableModel::set_compare(const std::vector<MetricDelta>& rows) {
    beginResetModel();
    rows_ = rows;
    compare_ = true;
    endResetModel();
}

int MetricTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int MetricTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : compare_ ? 7 : 3;
}

QVariant MetricTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const MetricDelta& d = rows_[static_cast<std::size_t>(index.row())];
    const int c = index.column();
    const bool numeric = (d.a && d.a->value) || (d.b && d.b->value);
    if (role == Qt::DisplayRole) {
        switch (c) {
        case 0:
            return q(d.group);
        case 1:
            return q(d.name);
        case 2:
            return d.a ? q(format_metric(*d.a)) : QStringLiteral("\u2014");
        case 3:
            return d.b ? q(format_metric(*d.b)) : QStringLiteral("\u2014");
        case 4:
            return numeric && d.a && d.b ? q((d.delta > 0 ? "+" : "") + format_metric(d.delta, d.unit)) : QString();
        case 5:
            return numeric && d.a && d.b && d.relative != 0.0 ? q(fmt::format("{:+.1f} %", d.relative * 100.0))
                                                              : QString();
        case 6:
            return q(verdict_name(d.verdict));
        default:
            return {};
        }
    }
    if (role == Qt::UserRole) {
        switch (c) {
        case 0:
            return q(d.group);
        case 1:
            return q(d.name);
        case 2:
            return sort_key(d.a);
        case 3:
            return sort_key(d.b);
        case 4:
            return d.delta;
        case 5:
            return d.relative;
        case 6:
            return static_cast<int>(d.verdict);
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && c >= 2 && c <= 5) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::BackgroundRole && compare_) {
        if (d.verdict == Verdict::Improved) {
            return QBrush(QColor(200, 240, 200));
        }
        if (d.verdict == Verdict::Worsened) {
            return QBrush(QColor(250, 205, 205));
        }
    }
    return {};
}

QVariant MetricTableModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount()) {
        return QAbstractTableModel::headerData(section, o, role);
    }
    static const char* const kSingle[] = {"Group", "Figure", "Value"};
    static const char* const kCompare[] = {"Group", "Figure", "A", "B", "\u0394 (B \u2212 A)", "\u0394 %", "Verdict"};
    return QString::fromUtf8(compare_ ? kCompare[section] : kSingle[section]);
}

std::vector<BottleneckRow> bottleneck_rows(const report::RunReport& r) {
    std::vector<BottleneckRow> out;
    for (const auto& t : r.link_tiers) {
        out.push_back({"tier", q(t.tier), q(t.tier), t.max_utilization, t.mean_utilization, t.bytes, 0.0});
    }
    for (const auto& p : r.pods) {
        out.push_back({"pod", q(fmt::format("{} {}", p.kind, p.pod)), q(p.busiest_link.tier), p.max_utilization,
                       p.mean_utilization, p.bytes, 0.0});
    }
    for (const auto& l : r.busiest_links) {
        out.push_back({"link", q(l.link + (l.up ? " (up)" : " (down)")), q(l.tier), l.utilization, l.utilization,
                       l.bytes, l.bandwidth_bytes_per_s});
    }
    return out;
}

BottleneckModel::BottleneckModel(QObject* parent) : QAbstractTableModel(parent) {}

void BottleneckModel::set_rows(std::vector<BottleneckRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int BottleneckModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int BottleneckModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BottleneckModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const BottleneckRow& b = rows_[static_cast<std::size_t>(index.row())];
    const int c = index.column();
    if (role == Qt::DisplayRole) {
        switch (c) {
        case Kind:
            return b.kind;
        case Name:
            return b.name;
        case Tier:
            return b.tier;
        case MaxUtil:
            return q(format_metric(b.max_utilization, "fraction"));
        case MeanUtil:
            return q(format_metric(b.mean_utilization, "fraction"));
        case Bytes:
            return q(format_metric(b.bytes, "B"));
        case Bandwidth:
            return b.bandwidth_bytes_per_s > 0 ? q(format_metric(b.bandwidth_bytes_per_s, "B/s")) : QString();
        default:
            return {};
        }
    }
    if (role == Qt::UserRole) {
        switch (c) {
        case Kind:
            return b.kind;
        case Name:
            return b.name;
        case Tier:
            return b.tier;
        case MaxUtil:
            return b.max_utilization;
        case MeanUtil:
            return b.mean_utilization;
        case Bytes:
            return b.bytes;
        case Bandwidth:
            return b.bandwidth_bytes_per_s;
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && c >= MaxUtil) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant BottleneckModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) {
        return QAbstractTableModel::headerData(section, o, role);
    }
    static const char* const kNames[] = {"Kind", "Name", "Tier", "Max util.", "Mean util.", "Bytes", "Bandwidth"};
    return QString::fromUtf8(kNames[section]);
}

} // namespace twin::gui
