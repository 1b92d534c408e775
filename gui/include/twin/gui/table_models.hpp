// Qt table models over the plain values of metrics.hpp and the report's link figures. Both give
// Qt::UserRole as the sort key (the number, or the text), so a QSortFilterProxyModel with
// sortRole UserRole sorts numerically; both pass QAbstractItemModelTester.
#pragma once

#include "twin/gui/metrics.hpp"
#include "twin/report/run_report.hpp"

#include <QAbstractTableModel>
#include <vector>

namespace twin::gui {

// Figures of one result (columns: group, figure, value) or of two (group, figure, A, B, delta,
// delta %, verdict; improved rows green, worsened red, and the verdict spelled out so the marks
// do not rest on colour alone).
class MetricTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit MetricTableModel(QObject* parent = nullptr);
    void set_single(const std::vector<Metric>& a);
    void set_compare(const std::vector<MetricDelta>& rows);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
    [[nodiscard]] const MetricDelta& row(int r) const { return rows_.at(static_cast<std::size_t>(r)); }

private:
    std::vector<MetricDelta> rows_;
    bool compare_ = false;
};

// One row of the bottlenecks table: a link tier, a pod (leaf group) or one of the busiest links.
struct BottleneckRow {
    QString kind; // "tier", "pod", "link"
    QString name;
    QString tier;
    double max_utilization = 0.0;
    double mean_utilization = 0.0;
    double bytes = 0.0;
    double bandwidth_bytes_per_s = 0.0; // links only (0 otherwise)
};

// Tiers first, then pods, then links, each as the report lists them.
[[nodiscard]] std::vector<BottleneckRow> bottleneck_rows(const report::RunReport& r);

class BottleneckModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Kind, Name, Tier, MaxUtil, MeanUtil, Bytes, Bandwidth, ColumnCount };
    explicit BottleneckModel(QObject* parent = nullptr);
    void set_rows(std::vector<BottleneckRow> rows);

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    std::vector<BottleneckRow> rows_;
};

} // namespace twin::gui
