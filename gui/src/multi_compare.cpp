// Comparing two or more results against a baseline (multi_compare.hpp).
#include "twin/gui/multi_compare.hpp"

#include "twin/gui/views.hpp"

#include <QBrush>
#include <QColor>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace twin::gui {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

} // namespace

std::vector<MultiRow> compare_many(const std::vector<std::vector<Metric>>& results) {
    std::vector<MultiRow> rows;
    if (results.empty()) {
        return rows;
    }
    // The rows: every (group, name) in order of first appearance, the baseline's first.
    std::vector<Metric> keys;
    for (const auto& list : results) {
        for (const auto& m : list) {
            if (std::none_of(keys.begin(), keys.end(),
                             [&](const Metric& k) { return k.group == m.group && k.name == m.name; })) {
                keys.push_back(m);
            }
        }
    }
    const auto find = [](const std::vector<Metric>& list, const Metric& k) {
        std::vector<Metric> out;
        for (const auto& m : list) {
            if (m.group == k.group && m.name == k.name) {
                out.push_back(m);
                break;
            }
        }
        return out;
    };
    for (const auto& k : keys) {
        MultiRow row{k.group, k.name, k.unit, {}};
        const auto base = find(results[0], k);
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto other = find(results[i], k);
            auto d = compare_metrics(base, other);
            if (d.empty()) { // in neither
                row.against_base.push_back({k.group, k.name, k.unit, std::nullopt, std::nullopt});
            } else {
                row.against_base.push_back(d.front());
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

MultiCompareModel::MultiCompareModel(QObject* parent) : QAbstractTableModel(parent) {}

void MultiCompareModel::set_rows(std::vector<MultiRow> rows, QStringList labels) {
    beginResetModel();
    rows_ = std::move(rows);
    labels_ = std::move(labels);
    endResetModel();
}

int MultiCompareModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int MultiCompareModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() || labels_.isEmpty() ? 0 : 1 + 2 * static_cast<int>(labels_.size());
}

QVariant MultiCompareModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const MultiRow& row = rows_[static_cast<std::size_t>(index.row())];
    const int c = index.column();
    if (c < 2) {
        if (role == Qt::DisplayRole || role == Qt::UserRole) {
            return q(c == 0 ? row.group : row.name);
        }
        return {};
    }
    // Result i: its value at value_column(i), its delta at delta_column(i).
    const bool is_delta = c >= 4 && c % 2 == 0;
    const int i = c == 2 ? 0 : is_delta ? (c - 2) / 2 : (c - 1) / 2;
    const MetricDelta& d = row.against_base[static_cast<std::size_t>(i)];
    if (!is_delta) {
        const auto& m = i == 0 ? d.a : d.b;
        if (role == Qt::DisplayRole) {
            return m ? q(format_metric(*m)) : QString("\u2014");
        }
        if (role == Qt::UserRole) {
            return m && m->value ? QVariant(*m->value) : QVariant(m ? q(m->text) : QString());
        }
        if (role == Qt::TextAlignmentRole) {
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    }
    const bool numeric = d.a && d.b && d.a->value && d.b->value;
    if (role == Qt::DisplayRole) {
        if (!d.a || !d.b) {
            return QString("only in one");
        }
        if (d.verdict == Verdict::Same) {
            return QString("same");
        }
        const QString pct = numeric && d.relative != 0.0
                                ? QString("%1%2 % ").arg(d.relative > 0 ? "+" : "").arg(d.relative * 100, 0, 'f', 1)
                                : QString();
        return pct + q(verdict_name(d.verdict));
    }
    if (role == Qt::UserRole) {
        return numeric ? d.relative : 0.0;
    }
    if (role == Qt::BackgroundRole) {
        if (d.verdict == Verdict::Improved) {
            return QBrush(QColor(214, 240, 218));
        }
        if (d.verdict == Verdict::Worsened) {
            return QBrush(QColor(248, 215, 215));
        }
        return {};
    }
    if (role == Qt::ForegroundRole && (d.verdict == Verdict::Improved || d.verdict == Verdict::Worsened)) {
        return QBrush(Qt::black);
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant MultiCompareModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount()) {
        return QAbstractTableModel::headerData(section, o, role);
    }
    if (section < 2) {
        return section == 0 ? QString("Group") : QString("Figure");
    }
    const bool is_delta = section >= 4 && section % 2 == 0;
    const int i = section == 2 ? 0 : is_delta ? (section - 2) / 2 : (section - 1) / 2;
    if (is_delta) { // short: the result's name heads the column before it
        return QString("\u0394 vs baseline");
    }
    return i == 0 ? labels_[0] + " (baseline)" : labels_[i];
}

QWidget* make_multi_compare_view(const std::vector<const LoadedResult*>& results, QWidget* parent) {
    auto* w = new QWidget(parent);
    w->setObjectName("multi_compare_view");
    auto* layout = new QVBoxLayout(w);
    std::vector<std::vector<Metric>> metrics;
    QStringList labels;
    for (const auto* r : results) {
        metrics.push_back(result_metrics(r->report));
        labels << r->label;
    }
    auto rows = compare_many(metrics);
    QStringList parts;
    for (int i = 1; i < labels.size(); ++i) {
        int better = 0, worse = 0;
        for (const auto& row : rows) {
            better += row.against_base[static_cast<std::size_t>(i)].verdict == Verdict::Improved;
            worse += row.against_base[static_cast<std::size_t>(i)].verdict == Verdict::Worsened;
        }
        parts << QString("<b>%1</b>: <span style='color:#2a7a3a'>%2 improved</span>, "
                         "<span style='color:#b02020'>%3 worsened</span>")
                     .arg(labels[i].toHtmlEscaped())
                     .arg(better)
                     .arg(worse);
    }
    auto* head =
        new QLabel(QString("Baseline <b>%1</b>. %2").arg(labels.value(0).toHtmlEscaped(), parts.join("; ")), w);
    head->setObjectName("multi_compare_summary");
    head->setWordWrap(true);
    layout->addWidget(head);
    auto* model = new MultiCompareModel(w);
    model->set_rows(std::move(rows), labels);
    auto* table = table_for(model, w, true);
    table->setObjectName("multi_compare_table");
    table->setWordWrap(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents); // no figure name cut
    layout->addWidget(table, 1);
    return w;
}

} // namespace twin::gui
